import { createNvidiaConnector } from '@proxy/nvidia';
import { DEFAULT_API_KEY } from '@proxy/testkit';
import { startMockNim } from '@proxy/testkit/node';

// The connector proof without a key: NvidiaConnector in-process against the listening mock NIM. Lists the
// models, then one completion, and prints both.
const mock = await startMockNim();
const connector = createNvidiaConnector({ baseURL: mock.url, apiKey: DEFAULT_API_KEY, env: {} });
try {
  await connector.initialize();
  const models = connector.getAvailableModels();
  console.log(`models (${models.length}) from ${connector.endpoint('models')}:`);
  for (const id of models) console.log(`  ${id}`);

  const model = models[0] ?? 'meta/llama3-70b-instruct';
  const result = await connector.chatCompletion({ model, messages: [{ role: 'user', content: 'Hello from the proof script' }], max_completion_tokens: 64 });
  const message = (result.body.choices[0] as { message?: { content?: string } } | undefined)?.message;
  console.log(`\ncompletion from ${model}:\n  ${message?.content ?? '(no content)'}`);
  console.log(`usage: ${JSON.stringify(result.usage)}`);
  const sent = mock.requests.all.at(-1)?.body as Record<string, unknown> | undefined;
  console.log(`sent upstream: max_tokens=${String(sent?.max_tokens)}, max_completion_tokens ${sent && 'max_completion_tokens' in sent ? 'present' : 'absent'}, HTTP/${mock.requests.all.at(-1)?.httpVersion}`);
} finally {
  await connector.close();
  await mock.close();
}
