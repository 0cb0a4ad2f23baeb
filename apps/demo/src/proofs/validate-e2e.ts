import { randomBytes } from 'node:crypto';
import { startServer } from '@proxy/server';
import { DEFAULT_API_KEY } from '@proxy/testkit';
import { startMockNim, type MockNimServer } from '@proxy/testkit/node';
import OpenAI from 'openai';

// End-to-end validation through the proxy: list models, then one short non-streaming chat.
//   --mock                 against the mock NIM (no key needed)
//   NV_E2E_BASE_URL        reuse an already-running proxy (its key in NV_E2E_PROXY_KEY or PROXY_API_KEYS)
//   NV_E2E_PORT            port for the proxy this script starts (default: a free one)
//   NV_E2E_UPSTREAM_MODEL  upstream model id (default stepfun-ai/step-3.5-flash)
const env = process.env;
const useMock = process.argv.includes('--mock');
const upstreamModel = env.NV_E2E_UPSTREAM_MODEL?.trim() || 'stepfun-ai/step-3.5-flash';
const reuse = env.NV_E2E_BASE_URL?.trim();

if (!useMock && !reuse && !env.NVIDIA_API_KEY?.trim()) {
  console.log('skip: NVIDIA_API_KEY is not set (run with --mock to validate against the mock NIM)');
  process.exit(0);
}

let mock: MockNimServer | undefined;
let stop = async () => {};
let baseURL: string;
let proxyKey: string;
if (reuse) {
  baseURL = reuse.replace(/\/+$/, '').replace(/(\/v1)?$/, '/v1');
  proxyKey = env.NV_E2E_PROXY_KEY?.trim() || env.PROXY_API_KEYS?.split(',')[0]?.trim() || '';
  console.log(`reusing the proxy at ${baseURL}`);
} else {
  proxyKey = `sk-e2e-${randomBytes(12).toString('hex')}`;
  mock = useMock ? await startMockNim() : undefined;
  const backend = mock ? { type: 'nvidia', api_url: mock.url, api_key: DEFAULT_API_KEY } : { type: 'nvidia' };
  const proxy = await startServer(
    {
      port: Number(env.NV_E2E_PORT ?? 0),
      auth: { api_keys: [proxyKey] },
      logging: { level: 'warn' },
      backends: { nvidia: backend },
    },
    { env: mock ? {} : env },
  );
  baseURL = `${proxy.url}/v1`;
  stop = async () => {
    await proxy.close();
    await mock?.close();
  };
  console.log(`proxy started at ${baseURL} (upstream: ${mock ? `mock NIM ${mock.url}` : 'NVIDIA hosted API'})`);
}

try {
  const client = new OpenAI({ baseURL, apiKey: proxyKey, maxRetries: 0, timeout: 600_000 });
  const models = await client.models.list();
  const ids = models.data.map((model) => model.id);
  console.log(`models: ${ids.length} (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''})`);
  const model = `nvidia:${upstreamModel}`;
  const started = Date.now();
  const completion = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'Reply with one short sentence.' }],
    max_completion_tokens: 128,
  });
  console.log(`chat ${model} (${Date.now() - started} ms): ${completion.choices[0]?.message.content ?? '(no content)'}`);
  console.log(`usage: ${JSON.stringify(completion.usage)}`);
  console.log('e2e validation passed');
} catch (error) {
  console.error(`e2e validation failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await stop();
}
