import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startServer } from '@proxy/server';
import { mockDirective } from '@proxy/testkit';
import { sendJson, sendSse, startRecordingUpstream } from '@proxy/testkit/recording-upstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL, PROXY_KEY, startStack, type Stack } from './support/stack.js';

// The real Claude Code CLI (`@anthropic-ai/claude-code`, pinned) through the proxy to the mock NIM, which plays a
// model that calls `Write` and then answers. Claude Code runs the tool itself, so the file on disk proves the
// whole agent loop: its request translated, the tool_use streamed so that it could run it, the tool_result
// translated back, the final answer streamed. Claude Code needs Node >= 22 (CI reruns everything on Node 24).
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
// The package's own launcher finds the platform's native binary, so no postinstall step is needed.
const CLAUDE = join(dirname(createRequire(import.meta.url).resolve('@anthropic-ai/claude-code/package.json')), 'cli-wrapper.cjs');

function runClaude(args: readonly string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLAUDE, ...args], { env, cwd, timeout: 150_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const CUT_MODEL = 'meta/llama-3.1-8b-instruct';
/** A MiniMax build without its tool parser: the tool calls come as MiniMax's markup in the text. */
const MARKUP_MODEL = 'minimaxai/minimax-m3';
const DISCOVERED_ALIAS = 'claude-nim-llama';
/** A model whose window (in the mock's words) no Claude Code prompt fits in. */
const SMALL_WINDOW_MODEL = 'acme/small-window';

function claudeEnv(stack: Pick<Stack, 'proxy'>, home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // A fresh HOME: no login, settings or history of this machine's user leaks into the run.
    HOME: home,
    // Its per-user temp folder (/tmp/claude-<uid> by default, kept after it exits) inside that HOME, removed with it.
    CLAUDE_CODE_TMPDIR: home,
    ANTHROPIC_BASE_URL: stack.proxy.url,
    ANTHROPIC_AUTH_TOKEN: PROXY_KEY,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
  };
}

describe.skipIf(NODE_MAJOR < 22)('claude -p through the proxy', () => {
  let stack: Stack;
  let work: string;
  let home: string;
  beforeAll(async () => {
    stack = await startStack({
      // The model takes at most 4096 tokens, less than the 32000 Claude Code asks for, and no model_settings cap is
      // configured: the proxy learns NIM's cap from its 422.
      mock: { models: [{ id: MODEL, maxTokens: 4096 }, { id: CUT_MODEL }, { id: MARKUP_MODEL, toolMarkup: 'minimax' }, { id: SMALL_WINDOW_MODEL, contextTokens: 100 }] },
      config: {
        model_aliases: {
          'claude-haiku-*': `nvidia:${CUT_MODEL}`,
          'claude-opus-*': `nvidia:${MARKUP_MODEL}`,
          'claude-*': `nvidia:${MODEL}`,
          // Named by id: listed by GET /v1/models, so Claude Code's gateway discovery offers it.
          [DISCOVERED_ALIAS]: `nvidia:${MODEL}`,
        },
        // A model that may write five tokens: its tool call runs out of them mid-JSON, as NIM's models do at a low max_tokens.
        model_settings: { [CUT_MODEL]: { max_tokens: 5 } },
      },
    });
    work = await mkdtemp(join(tmpdir(), 'claude-code-work-'));
    home = await mkdtemp(join(tmpdir(), 'claude-code-home-'));
  });
  afterAll(async () => {
    await stack?.close();
    await rm(work, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  it('calls Write through NIM, the file is really written, and the final answer comes back', async () => {
    const target = join(work, 'hello.txt');
    const content = 'written by Claude Code on a NIM model\n';
    const prompt = `${mockDirective({ toolCall: { name: 'Write', arguments: { file_path: target, content } }, finalAnswer: 'I wrote hello.txt for you.' })} Write the file.`;
    const run = await runClaude(['-p', prompt, '--model', 'claude-sonnet-4-5', '--allowedTools', 'Write'], claudeEnv(stack, home), work);
    const diagnostics = `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
    expect(run.code, diagnostics).toBe(0);
    expect(await readFile(target, 'utf8'), diagnostics).toBe(content);
    expect(run.stdout, diagnostics).toContain('I wrote hello.txt for you.');

    // Claude Code spoke Anthropic's API to the proxy, and the proxy chat completions to NIM, by the alias.
    const chats = stack.mock.requests.all.filter((r) => r.path.endsWith('/chat/completions'));
    expect(chats.length).toBeGreaterThanOrEqual(2);
    const last = chats.at(-1)!.body as { model: string; messages: Array<{ role: string; content: unknown }>; max_tokens: number };
    expect(last.model).toBe(MODEL);
    expect(last.max_tokens).toBeLessThanOrEqual(4096);
    expect(stack.logs.some((line) => line.includes('caps max_tokens'))).toBe(true);
    expect(last.messages.some((message) => message.role === 'tool')).toBe(true);
    const lines = stack.logs.filter((line) => line.includes('/v1/messages'));
    expect(lines.some((line) => line.includes('"status":200'))).toBe(true);
    expect(stack.logs.join('\n')).not.toContain(PROXY_KEY);
  }, 180_000);

  it('runs with ANTHROPIC_API_KEY also set: Claude Code then sends both headers, and the proxy key is the Bearer one', async () => {
    // Common in a shell that also uses Anthropic directly; the proxy read only x-api-key and answered 401, which
    // Claude Code retried for minutes.
    const env = { ...claudeEnv(stack, home), ANTHROPIC_API_KEY: 'sk-ant-api03-exported-for-anthropic-itself' };
    const prompt = `${mockDirective({ content: 'Hello through the gateway.' })} Say hello.`;
    const run = await runClaude(['-p', prompt, '--model', 'claude-sonnet-4-5', '--tools', ''], env, work);
    const diagnostics = `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
    expect(run.code, diagnostics).toBe(0);
    expect(run.stdout, diagnostics).toContain('Hello through the gateway.');
    expect(stack.logs.join('\n')).not.toContain('sk-ant-api03-exported-for-anthropic-itself');
  }, 180_000);

  it("fails at once with the proxy's message when the proxy key is wrong, instead of retrying the 401 for minutes", async () => {
    const env = { ...claudeEnv(stack, home), ANTHROPIC_AUTH_TOKEN: 'not-the-proxy-key' };
    const before = stack.logs.filter((line) => line.includes('"status":401')).length;
    const run = await runClaude(['-p', 'Say hello.', '--model', 'claude-sonnet-4-5', '--tools', ''], env, work);
    const diagnostics = `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
    expect(run.code, diagnostics).not.toBe(0);
    expect(run.stdout + run.stderr, diagnostics).toContain('Invalid proxy API key');
    // One request: Claude Code honoured x-should-retry: false (it would otherwise retry for minutes, past runClaude's timeout).
    expect(stack.logs.filter((line) => line.includes('"status":401')).length - before, diagnostics).toBe(1);
  }, 180_000);

  it("loads a deferred tool through ToolSearch: NIM gets its definition in the result and the tool from then on", async () => {
    const prompt = `${mockDirective({ toolCall: { name: 'ToolSearch', arguments: { query: 'select:WebFetch' } }, finalAnswer: 'WebFetch is ready.' })} Find the fetch tool.`;
    const before = stack.mock.requests.all.length;
    const run = await runClaude(['-p', prompt, '--model', 'claude-sonnet-4-5'], claudeEnv(stack, home), work);
    const diagnostics = `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
    expect(run.code, diagnostics).toBe(0);
    expect(run.stdout, diagnostics).toContain('WebFetch is ready.');
    type Sent = { tools?: { function: { name: string } }[]; messages: { role: string; content: unknown }[] };
    const chats = stack.mock.requests.all.slice(before).filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.body as Sent);
    const names = (chat: Sent) => (chat.tools ?? []).map((tool) => tool.function.name);
    // Deferred tools stay hidden until loaded, Claude Code's placeholder included.
    expect(names(chats[0]!)).toContain('ToolSearch');
    expect(names(chats[0]!)).not.toContain('WebFetch');
    expect(chats.flatMap(names)).not.toContain('DeferredToolPlaceholder');
    // After ToolSearch's tool_reference: the definition in the tool message (as Anthropic expands it), the tool sent.
    const after = chats.at(-1)!;
    expect(names(after)).toContain('WebFetch');
    expect(String(after.messages.find((message) => message.role === 'tool')?.content)).toMatch(/^<functions>\n<function>\{"description":.*"name":"WebFetch"/s);
    expect(stack.logs.some((line) => line.includes('"route":"/v1/messages"') && line.includes('"status":400'))).toBe(false);
  }, 180_000);

  it("offers the proxy's aliases named by id in its model picker (gateway discovery), and runs a turn on one", async () => {
    // A HOME of its own: the discovered list is cached there.
    const discoveryHome = await mkdtemp(join(tmpdir(), 'claude-code-discovery-'));
    try {
      const env = { ...claudeEnv(stack, discoveryHome), CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY: '1' };
      const prompt = `${mockDirective({ content: 'Answered on a discovered model.' })} Say so.`;
      const run = await runClaude(['-p', prompt, '--model', DISCOVERED_ALIAS, '--tools', ''], env, work);
      const diagnostics = `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}\nlogs: ${stack.logs.filter((line) => line.includes('/v1/models')).join('\n')}`;
      expect(run.code, diagnostics).toBe(0);
      expect(run.stdout, diagnostics).toContain('Answered on a discovered model.');
      const cached = JSON.parse(await readFile(join(discoveryHome, '.claude', 'cache', 'gateway-models.json'), 'utf8')) as { models: { id: string; description?: string }[] };
      // Claude Code keeps the ids that mention claude: the alias, with the route it shows as its description.
      expect(cached.models, diagnostics).toEqual([{ id: DISCOVERED_ALIAS, display_name: DISCOVERED_ALIAS, description: `Routed by the proxy to nvidia:${MODEL}` }]);
    } finally {
      await rm(discoveryHome, { recursive: true, force: true });
    }
  }, 180_000);

  it("reads NIM's refusal of a prompt longer than the model's window as its own prompt-too-long, with the numbers", async () => {
    // NIM says `maximum context length is 100 tokens … (N in the messages …)`; the proxy says Anthropic's `prompt is
    // too long: N tokens > 100 maximum`, which Claude Code parses to decide what compacting can do.
    const run = await runClaude(['-p', 'Hello there.', '--model', `nvidia:${SMALL_WINDOW_MODEL}`, '--tools', ''], claudeEnv(stack, home), work);
    const diagnostics = `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
    expect(run.code, diagnostics).not.toBe(0);
    expect(run.stdout, diagnostics).toMatch(/Prompt is too long · the request is ~\d+ tokens \(limit 100\)/);
    expect(stack.logs.some((line) => line.includes(SMALL_WINDOW_MODEL) && line.includes('"status":400'))).toBe(true);
  }, 180_000);

  it("keeps a NIM model's real context window when CLAUDE_CODE_AUTO_COMPACT_WINDOW names it, as docs/clients/claude-code.md advises", async () => {
    // Claude Code knows no NIM model's window: unset, it assumes 1M tokens (and says so), so it would not compact
    // before NIM refuses the prompt. The env setting is the documented cure; an upgrade that drops it fails here.
    const prompt = `${mockDirective({ content: 'Window noted.' })} Say so.`;
    const args = ['-p', prompt, '--model', DISCOVERED_ALIAS, '--tools', ''];
    const unset = await runClaude(args, claudeEnv(stack, home), work);
    expect(unset.code, `stdout: ${unset.stdout}\nstderr: ${unset.stderr}`).toBe(0);
    expect(unset.stderr).toContain('assumes a context window of 1m tokens');
    const set = await runClaude(args, { ...claudeEnv(stack, home), CLAUDE_CODE_AUTO_COMPACT_WINDOW: '131072' }, work);
    const diagnostics = `exit ${set.code}\nstdout: ${set.stdout}\nstderr: ${set.stderr}`;
    expect(set.code, diagnostics).toBe(0);
    expect(set.stdout, diagnostics).toContain('Window noted.');
    expect(set.stderr, diagnostics).not.toContain('assumes a context window');
  }, 180_000);

  it('answers `claude -p --json-schema` with the structured output the model gave its StructuredOutput tool', async () => {
    // Claude Code asks for structured output through a tool whose input schema is the user's schema; the model's
    // call of it is the result.
    const schema = { type: 'object', properties: { colour: { type: 'string' } }, required: ['colour'] };
    const prompt = `${mockDirective({ toolCall: { name: 'StructuredOutput', arguments: { colour: 'red' } }, finalAnswer: 'Done.' })} Name a colour.`;
    const before = stack.mock.requests.all.length;
    const run = await runClaude(['-p', prompt, '--model', 'claude-sonnet-4-5', '--output-format', 'json', '--json-schema', JSON.stringify(schema)], claudeEnv(stack, home), work);
    const diagnostics = `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
    expect(run.code, diagnostics).toBe(0);
    expect((JSON.parse(run.stdout) as { structured_output?: unknown }).structured_output, diagnostics).toEqual({ colour: 'red' });
    const [first] = stack.mock.requests.all.slice(before).filter((r) => r.path.endsWith('/chat/completions'));
    const tools = (first!.body as { tools: { function: { name: string; parameters: { properties?: unknown } } }[] }).tools;
    expect(tools.find((tool) => tool.function.name === 'StructuredOutput')?.function.parameters.properties).toEqual(schema.properties);
  }, 180_000);

  it('gives NIM the image Claude Code read with its Read tool, in a user message after the tool result', async () => {
    // A 4×4 red PNG. Read answers with an image block in its tool_result; a chat tool message carries text only.
    const target = join(work, 'red.png');
    await writeFile(target, Buffer.from('89504e470d0a1a0a0000000d4948445200000004000000040802000000269309290000001049444154789c63f8cfc000470cc47100ae930ff1d05f239e0000000049454e44ae426082', 'hex'));
    const prompt = `${mockDirective({ toolCall: { name: 'Read', arguments: { file_path: target } }, finalAnswer: 'It is red.' })} What colour is red.png?`;
    const before = stack.mock.requests.all.length;
    const run = await runClaude(['-p', prompt, '--model', 'claude-sonnet-4-5', '--allowedTools', 'Read'], claudeEnv(stack, home), work);
    const diagnostics = `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
    expect(run.code, diagnostics).toBe(0);
    expect(run.stdout, diagnostics).toContain('It is red.');
    const chats = stack.mock.requests.all.slice(before).filter((r) => r.path.endsWith('/chat/completions'));
    const messages = (chats.at(-1)!.body as { messages: { role: string; content: unknown }[] }).messages;
    const tool = messages.findIndex((message) => message.role === 'tool');
    expect(tool, diagnostics).toBeGreaterThan(0);
    const after = messages[tool + 1]!;
    expect(after.role).toBe('user');
    expect(after.content).toEqual(expect.arrayContaining([{ type: 'image_url', image_url: { url: expect.stringMatching(/^data:image\/png;base64,/) } }]));
  }, 180_000);

  it('does not run a Bash command the token limit cut mid-way', async () => {
    const target = join(work, 'cut.txt');
    const command = `echo first > ${target}; echo second`; // five tokens end after the last `echo`
    const prompt = `${mockDirective({ toolCall: { name: 'Bash', arguments: { command } }, finalAnswer: 'Stopped.' })} Run it.`;
    const before = stack.mock.requests.all.length;
    const run = await runClaude(['-p', prompt, '--model', 'claude-haiku-4-5', '--allowedTools', 'Bash'], claudeEnv(stack, home), work);
    const diagnostics = `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
    const chats = stack.mock.requests.all.slice(before).filter((r) => r.path.endsWith('/chat/completions'));
    // NIM was asked for the call with five tokens to spend, and its answer was cut inside the arguments.
    expect(chats.length, diagnostics).toBeGreaterThanOrEqual(1);
    expect((chats[0]!.body as { max_tokens: number }).max_tokens).toBe(5);
    // Had the proxy closed the cut JSON, `echo first > cut.txt; echo ` would have run and written the file.
    expect(existsSync(target), diagnostics).toBe(false);
  }, 180_000);

  it('runs a tool call a MiniMax model wrote as markup in its text: the file is written, and no markup is shown', async () => {
    const target = join(work, 'markup.txt');
    // No final newline: parameter values are trimmed, as MiniMax's reference parser does (its template puts
    // newlines around them).
    const content = 'written from MiniMax markup';
    const prompt = `${mockDirective({ toolCall: { name: 'Write', arguments: { file_path: target, content } }, finalAnswer: 'Done with markup.' })} Write it.`;
    const before = stack.mock.requests.all.length;
    const run = await runClaude(['-p', prompt, '--model', 'claude-opus-4-5', '--allowedTools', 'Write'], claudeEnv(stack, home), work);
    const diagnostics = `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
    expect(run.code, diagnostics).toBe(0);
    const chats = stack.mock.requests.all.slice(before).filter((r) => r.path.endsWith('/chat/completions'));
    expect((chats[0]!.body as { model: string }).model).toBe(MARKUP_MODEL);
    expect(await readFile(target, 'utf8'), diagnostics).toBe(content);
    expect(run.stdout, diagnostics).toContain('Done with markup.');
    expect(run.stdout).not.toContain('minimax:tool_call');
  }, 180_000);
});

describe.skipIf(NODE_MAJOR < 22)('claude -p on an upstream that numbers its tool-call ids anew in every answer', () => {
  it('runs each call once: ids the conversation already holds are replaced', async () => {
    const work = await mkdtemp(join(tmpdir(), 'claude-code-ids-'));
    const home = await mkdtemp(join(tmpdir(), 'claude-code-home-'));
    const log = join(work, 'runs.txt');
    // Two turns that each call Bash with tool-call id 0, then an answer (NIM's ids are numeric and need not be unique).
    const upstream = await startRecordingUpstream((request, response) => {
      if (request.url.endsWith('/models')) return sendJson(response, 200, { object: 'list', data: [{ id: 'counting-ids', object: 'model' }] });
      const results = (JSON.parse(request.body) as { messages: { role: string }[] }).messages.filter((message) => message.role === 'tool').length;
      const frame = (delta: object, finish: string | null) => ({ id: 1, object: 'chat.completion.chunk', created: 1, model: 'counting-ids', choices: [{ index: 0, delta, finish_reason: finish }] });
      if (results >= 2) return sendSse(response, [frame({ role: 'assistant', content: 'Both ran.' }, 'stop')]);
      const call = { index: 0, id: 0, type: 'function', function: { name: 'Bash', arguments: JSON.stringify({ command: `echo run${results} >> ${log}`, description: 'log' }) } };
      return sendSse(response, [frame({ role: 'assistant', tool_calls: [call] }, null), frame({}, 'tool_calls')]);
    });
    const proxy = await startServer(
      {
        host: '127.0.0.1',
        port: 0,
        auth: { api_keys: [PROXY_KEY] },
        default_backend: 'counting',
        failure_handling: { max_retries: 0 },
        backends: { counting: { type: 'openai', api_url: upstream.url, api_key: 'upstream-key', models: ['counting-ids'] } },
      },
      { env: {}, logDestination: { write: () => undefined } },
    );
    try {
      const run = await runClaude(['-p', 'Log twice.', '--model', 'counting-ids', '--allowedTools', 'Bash'], claudeEnv({ proxy }, home), work);
      const diagnostics = `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
      expect(run.code, diagnostics).toBe(0);
      expect(run.stdout, diagnostics).toContain('Both ran.');
      // Given id 0 twice, Claude Code took the second call for an interrupted one and ran it hundreds of times.
      expect(await readFile(log, 'utf8'), diagnostics).toBe('run0\nrun1\n');
    } finally {
      await proxy.close();
      await upstream.close();
      await rm(work, { recursive: true, force: true });
      await rm(home, { recursive: true, force: true });
    }
  }, 180_000);
});
