import { createNvidiaConnector, NVIDIA_DEFAULT_BASE_URL } from '@proxy/nvidia';

// The connector proof against NVIDIA's hosted API. Needs NVIDIA_API_KEY; exits 0 with one line when it is unset.
// NV_PROVE_MODEL forces a catalog id; NV_PROVE_READ_TIMEOUT / NV_PROVE_CONNECT_TIMEOUT (seconds) bound the wait.
const env = process.env;
if (!env.NVIDIA_API_KEY?.trim()) {
  console.log('skip: NVIDIA_API_KEY is not set (the live NVIDIA proof needs a key)');
  process.exit(0);
}

const seconds = (name: string): number | undefined => {
  const value = env[name]?.trim();
  if (!value) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name} must be a positive number of seconds, got '${value}'`);
  return parsed * 1000;
};

// The first-use health check is off: it would add a silent GET /models before the chat.
const connector = createNvidiaConnector({
  baseURL: NVIDIA_DEFAULT_BASE_URL,
  healthCheck: false,
  timeoutMs: seconds('NV_PROVE_READ_TIMEOUT'),
  connectTimeoutMs: seconds('NV_PROVE_CONNECT_TIMEOUT'),
});
try {
  const { connectMs, headersMs, bodyMs } = connector.timeouts;
  console.log(`chat URL: ${connector.endpoint('chat/completions')}`);
  console.log(`timeouts: connect ${connectMs / 1000}s, response headers ${headersMs / 1000}s, body gaps ${bodyMs / 1000}s`);

  await connector.initialize();
  const models = connector.getAvailableModels();
  console.log(`models: ${models.length} in the catalog`);
  const model = env.NV_PROVE_MODEL?.trim() || models.find((id) => id.includes('llama')) || models[0];
  if (!model) throw new Error('the catalog is empty; set NV_PROVE_MODEL');

  console.log(`chat with ${model} …`);
  const started = Date.now();
  const result = await connector.chatCompletion({ model, messages: [{ role: 'user', content: 'Reply with one short sentence.' }], max_completion_tokens: 64 });
  const message = (result.body.choices[0] as { message?: { content?: string } } | undefined)?.message;
  console.log(`answer (${Date.now() - started} ms): ${message?.content ?? '(no content)'}`);
  console.log(`usage: ${JSON.stringify(result.usage)}`);
} finally {
  await connector.close();
}
