/** NIM-shaped answers and a request body the connector tests share (the upstream itself: @proxy/testkit/recording-upstream). */
export const completion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'meta/llama3-70b',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
};

export const modelList = {
  object: 'list',
  data: [
    { id: 'meta/llama3-70b', object: 'model', owned_by: 'meta' },
    { id: 'stepfun-ai/step-3.5-flash', object: 'model', owned_by: 'stepfun-ai' },
  ],
};

export const userMessage = [{ role: 'user', content: 'Hello!' }];
