import { startServer, type RunningServer } from '@proxy/server';
import { DEFAULT_API_KEY, mockDirective } from '@proxy/testkit';
import { startMockNim } from '@proxy/testkit/node';
import OpenAI from 'openai';

/**
 * The quick start without an NVIDIA key: a mock NIM on a free port, the real proxy in front of it on :8000 (or
 * PROXY_PORT), one streamed answer to show the path works, then both keep serving until Ctrl-C.
 */
const DEMO_PROXY_KEY = 'sk-demo-proxy-key';
const MODEL = 'nvidia:meta/llama3-70b-instruct';

export interface Demo {
  baseURL: string;
  proxyKey: string;
  close(): Promise<void>;
}

/**
 * The proxy's JSON log lines, shown as they are (this is what `nim-proxy` writes to stdout in production), each on
 * its own line below the demo's output. Held while the demo prints its streamed answer: the proxy logs the request
 * when the stream ends, before the demo has printed the last words, and the line would land in the middle of them.
 */
const logLines = {
  held: undefined as string[] | undefined,
  write(line: string): void {
    if (logLines.held) logLines.held.push(line);
    else process.stdout.write(`  log ${line.endsWith('\n') ? line : `${line}\n`}`);
  },
  hold(): void {
    logLines.held ??= [];
  },
  release(): void {
    const held = logLines.held ?? [];
    logLines.held = undefined;
    for (const line of held) logLines.write(line);
  },
};

export async function runDemo(env: NodeJS.ProcessEnv = process.env, logDestination: { write(line: string): unknown } = logLines): Promise<Demo> {
  // The mock answers text even when a client offers tools: an agent CLI pointed at the demo (Claude Code, Codex)
  // would otherwise be told to run its first tool with the user's words, Codex's being a shell.
  const mock = await startMockNim({ scenario: { unscriptedTools: 'answer' } });
  const config = {
    host: env.PROXY_HOST ?? '127.0.0.1',
    auth: { api_keys: [DEMO_PROXY_KEY] },
    default_backend: 'nvidia',
    failure_handling: { keepalive_interval: 2 },
    // At info, as `nim-proxy` logs by default: the start-up line, then one line per request.
    logging: { level: 'info' as const },
    backends: { nvidia: { type: 'nvidia', api_url: mock.url, api_key: DEFAULT_API_KEY } },
    // Claude Code and Codex ask for their vendors' model names: in the demo every one of them is the mock's model,
    // so either CLI works against it unchanged (docs/configuration.md, "Model aliases"); OpenAI's embedding models
    // are the mock's embedding model. `claude-nim-demo`, an id, is listed by GET /v1/models: Claude Code's gateway
    // discovery offers it in /model.
    model_aliases: { 'claude-nim-demo': MODEL, 'claude-*': MODEL, 'gpt-*': MODEL, 'text-embedding-*': 'nvidia:baai/bge-m3' },
  };
  let proxy: RunningServer;
  try {
    proxy = await startServer({ ...config, port: Number(env.PROXY_PORT ?? 8000) }, { env: {}, logDestination });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    console.log(`Port ${env.PROXY_PORT ?? 8000} is busy; using a free one.`);
    proxy = await startServer({ ...config, port: 0 }, { env: {}, logDestination });
  }

  const baseURL = `${proxy.url}/v1`;
  console.log(`
Mock NIM:   ${mock.url}   (stands in for https://integrate.api.nvidia.com/v1)
Proxy:      ${baseURL}
Proxy key:  ${DEMO_PROXY_KEY}

Try it:
  curl -N ${baseURL}/chat/completions \\
    -H "Authorization: Bearer ${DEMO_PROXY_KEY}" -H "Content-Type: application/json" \\
    -d '{"model":"${MODEL}","stream":true,"messages":[{"role":"user","content":"Hello!"}]}'

  curl ${baseURL}/models -H "Authorization: Bearer ${DEMO_PROXY_KEY}"

  Claude Code (its claude-* model names are aliased to the mock's model):
  ANTHROPIC_BASE_URL=${proxy.url} ANTHROPIC_AUTH_TOKEN=${DEMO_PROXY_KEY} claude -p "Hello!"
`);

  const client = new OpenAI({ baseURL, apiKey: DEMO_PROXY_KEY, maxRetries: 0 });
  process.stdout.write(`Streaming one answer from ${MODEL} through the proxy:\n  `);
  if (logDestination === logLines) logLines.hold();
  try {
    const stream = await client.chat.completions.create({
      model: MODEL,
      stream: true,
      // Paced, so the streaming shows; only this answer, so a CLI's long prompts are echoed at once.
      messages: [{ role: 'user', content: `${mockDirective({ timing: { chunkDelayMs: 40 } })} Say hello to the proxy demo.` }],
    });
    for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '');
    process.stdout.write('\n\nServing until Ctrl-C. The proxy logs one JSON line per request (prefixed "log" here):\n');
  } finally {
    if (logDestination === logLines) logLines.release();
  }

  return {
    baseURL,
    proxyKey: DEMO_PROXY_KEY,
    async close() {
      await proxy.close();
      await mock.close();
    },
  };
}
