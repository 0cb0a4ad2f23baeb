import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODELS, mockDirective } from '@proxy/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CODEX_BIN, runCodex } from './support/codex-cli.js';
import { MODEL, PROXY_KEY, startStack, type Stack } from './support/stack.js';

// The real Codex CLI (`codex exec`, Responses API only) through the proxy to the mock NIM, which plays a model that
// asks for a shell command and then answers. Proof that the command really ran is the file it wrote; proof that
// the answer came back is Codex printing it.
const CUT_MODEL = 'meta/llama-3.1-8b-instruct';
/** A MiniMax build without its tool parser: the tool calls come as MiniMax's markup in the text. */
const MARKUP_MODEL = 'minimaxai/minimax-m3';
/** A model that reads OpenAI chat's reasoning_effort. */
const GPT_OSS = 'openai/gpt-oss-120b';
/** A model whose window (in the mock's words) no Codex prompt fits in. */
const SMALL_WINDOW_MODEL = 'acme/small-window';

describe.skipIf(!CODEX_BIN)('Codex CLI through /v1/responses', () => {
  let stack: Stack;
  const runs: { cleanup(): void }[] = [];
  beforeAll(async () => {
    // A model that may write five tokens: its tool call runs out of them mid-JSON, as NIM's models do at a low max_tokens.
    stack = await startStack({
      mock: { models: [...DEFAULT_MODELS, { id: MARKUP_MODEL, toolMarkup: 'minimax' }, { id: GPT_OSS, reasoning: 'reasoning_content' }, { id: SMALL_WINDOW_MODEL, contextTokens: 50 }] },
      config: { model_settings: { [CUT_MODEL]: { max_tokens: 5 } } },
    });
  });
  afterEach(() => {
    stack.mock.reset();
    stack.logs.length = 0;
    for (const run of runs.splice(0)) run.cleanup();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const chatRequests = () => stack.mock.requests.all.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.body as { messages: Record<string, unknown>[]; tools?: { function: { name: string } }[] });

  for (const model of [MODEL, 'deepseek-ai/deepseek-r1', MARKUP_MODEL]) {
    it(`runs the shell command NIM asks for and prints the final answer (${model})`, { timeout: 120_000 }, async () => {
      const run = await runCodex({
        baseURL: stack.baseURL,
        apiKey: PROXY_KEY,
        model: `nvidia:${model}`,
        prompt: (workdir) =>
          `${mockDirective({ toolCall: { name: 'exec_command', arguments: { cmd: `echo codex-was-here > ${join(workdir, 'ran.txt')}` } }, finalAnswer: 'I wrote ran.txt for you.' })} Write the file.`,
      });
      runs.push(run);
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      expect(readFileSync(join(run.workdir, 'ran.txt'), 'utf8')).toBe('codex-was-here\n');
      expect(run.stdout.trim()).toBe('I wrote ran.txt for you.');

      // Two model calls: the tool call, then the answer to Codex's own tool output.
      const [first, second] = chatRequests();
      expect(chatRequests()).toHaveLength(2);
      const names = first!.tools!.map((tool) => tool.function.name);
      expect(names).toContain('exec_command');
      for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/); // namespace groups flattened
      expect(first!.messages[0]!.role).toBe('system');
      expect(first!.messages.slice(1).some((message) => message.role === 'system')).toBe(false);
      const [call, output] = second!.messages.slice(-2) as [{ tool_calls: { id: string }[] }, { role: string; tool_call_id: string; content: string }];
      expect(output).toMatchObject({ role: 'tool', tool_call_id: call.tool_calls[0]!.id });
      expect(output.content).toContain('exited with code 0');
      // The mock reasons about the last user message: Codex's environment context and its prompt, joined into one.
      if (model.includes('r1')) expect(run.stderr).toMatch(/Thinking about: [\s\S]*Write the file\./);

      const lines = stack.logs.filter((line) => line.includes('"route":"/v1/responses"')).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.map((line) => line.status)).toEqual([200, 200]);
      expect(existsSync(run.workdir)).toBe(true);
    });
  }

  it("waits out a NIM silence longer than Codex's stream idle timeout: the proxy's keep-alives count as activity", { timeout: 120_000 }, async () => {
    // Codex gives up on a stream after stream_idle_timeout_ms (300 s by default) without an SSE event, and retries
    // the turn: NIM work paid twice. Here NIM holds each answer for 3 s, Codex allows 1.5 s, the proxy keeps alive
    // every 0.25 s.
    const quiet = await startStack({ config: { failure_handling: { keepalive_interval: 0.25 } } });
    try {
      const run = await runCodex({
        baseURL: quiet.baseURL,
        apiKey: PROXY_KEY,
        model: `nvidia:${MODEL}`,
        provider: ['stream_idle_timeout_ms = 1500', 'stream_max_retries = 0', 'request_max_retries = 0'],
        prompt: (workdir) =>
          `${mockDirective({ timing: { firstByteDelayMs: 3000 }, toolCall: { name: 'exec_command', arguments: { cmd: `echo waited > ${join(workdir, 'waited.txt')}` } }, finalAnswer: 'Done after the wait.' })} Write it.`,
      });
      runs.push(run);
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      expect(run.stderr).not.toContain('idle timeout');
      expect(readFileSync(join(run.workdir, 'waited.txt'), 'utf8')).toBe('waited\n');
      expect(run.stdout.trim()).toBe('Done after the wait.');
      expect(quiet.mock.requests.all.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(2); // no retried turn
    } finally {
      await quiet.close();
    }
  });

  it("passes Codex's model_reasoning_effort to a gpt-oss model as reasoning_effort", { timeout: 120_000 }, async () => {
    const run = await runCodex({
      baseURL: stack.baseURL,
      apiKey: PROXY_KEY,
      model: `nvidia:${GPT_OSS}`,
      settings: ['model_reasoning_effort = "high"'],
      prompt: () => `${mockDirective({ content: 'Thought hard.' })} Think.`,
    });
    runs.push(run);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.stdout.trim()).toBe('Thought hard.');
    const [first] = chatRequests();
    expect((first as unknown as { reasoning_effort?: string }).reasoning_effort).toBe('high');
  });

  it("gives NIM the image Codex's view_image tool loaded, in a user message after the tool's output", { timeout: 120_000 }, async () => {
    // A 4×4 red PNG. A chat tool message carries text only; the image follows it, so a vision model sees it.
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000004000000040802000000269309290000001049444154789c63f8cfc000470cc47100ae930ff1d05f239e0000000049454e44ae426082', 'hex');
    const run = await runCodex({
      baseURL: stack.baseURL,
      apiKey: PROXY_KEY,
      model: `nvidia:${MODEL}`,
      prompt: (workdir) => {
        writeFileSync(join(workdir, 'red.png'), png);
        return `${mockDirective({ toolCall: { name: 'view_image', arguments: { path: join(workdir, 'red.png') } }, finalAnswer: 'It is red.' })} What colour is red.png?`;
      },
    });
    runs.push(run);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.stdout.trim()).toBe('It is red.');
    const second = chatRequests()[1]!;
    const tool = second.messages.findIndex((message) => message.role === 'tool');
    expect(tool, JSON.stringify(second.messages.slice(-2))).toBeGreaterThan(0);
    const after = second.messages[tool + 1] as { role: string; content: { type: string; image_url?: { url: string } }[] };
    expect(after.role).toBe('user');
    expect(after.content).toEqual([{ type: 'image_url', image_url: expect.objectContaining({ url: expect.stringMatching(/^data:image\/png;base64,/) }) }]);
    expect(String(second.messages[tool]!.content)).not.toContain('omitted');
  });

  it('asks NIM for the JSON that `codex exec --output-schema` wants, as response_format, and prints the answer', { timeout: 120_000 }, async () => {
    // Codex sends the schema as the Responses API's text.format; NIM constrains its answer by response_format.
    const schema = { type: 'object', properties: { colour: { type: 'string' } }, required: ['colour'], additionalProperties: false };
    const dir = mkdtempSync(join(tmpdir(), 'codex-schema-'));
    try {
      const schemaFile = join(dir, 'schema.json');
      writeFileSync(schemaFile, JSON.stringify(schema));
      const run = await runCodex({
        baseURL: stack.baseURL,
        apiKey: PROXY_KEY,
        model: `nvidia:${MODEL}`,
        args: ['--output-schema', schemaFile],
        prompt: () => `${mockDirective({ content: '{"colour":"red"}' })} Name a colour.`,
      });
      runs.push(run);
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      expect(JSON.parse(run.stdout.trim())).toEqual({ colour: 'red' });
      const [first] = chatRequests();
      const format = (first as unknown as { response_format?: { type: string; json_schema: { name: string; schema: unknown; strict?: boolean } } }).response_format;
      expect(format).toEqual({ type: 'json_schema', json_schema: { name: 'codex_output_schema', schema, strict: true } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a prompt longer than the model's window as Codex's own context-window error", { timeout: 120_000 }, async () => {
    // NIM's 400 reaches Codex as OpenAI's context_length_exceeded, which Codex explains instead of quoting NIM.
    const run = await runCodex({ baseURL: stack.baseURL, apiKey: PROXY_KEY, model: `nvidia:${SMALL_WINDOW_MODEL}`, prompt: () => 'Hello there.' });
    runs.push(run);
    expect(run.code, run.stderr.slice(-2000)).not.toBe(0);
    expect(run.stderr).toContain("Codex ran out of room in the model's context window");
    expect(chatRequests()).toHaveLength(1); // not retried: no retry can make the prompt fit
  });

  it('does not run a shell command the token limit cut mid-way', { timeout: 120_000 }, async () => {
    const run = await runCodex({
      baseURL: stack.baseURL,
      apiKey: PROXY_KEY,
      model: `nvidia:${CUT_MODEL}`,
      // Five tokens end after the last `echo`: run as cut, the command would still write the file.
      prompt: (workdir) => `${mockDirective({ toolCall: { name: 'exec_command', arguments: { cmd: `echo cut > ${join(workdir, 'cut.txt')}; echo second` } } })} Run it.`,
    });
    runs.push(run);
    const [first] = chatRequests();
    expect((first as unknown as { max_tokens: number }).max_tokens).toBe(5);
    expect(existsSync(join(run.workdir, 'cut.txt')), run.stderr.slice(-2000)).toBe(false);
    // Codex was told the answer is incomplete, not that it completed.
    expect(run.stderr).toContain('max_output_tokens');
  });
});
