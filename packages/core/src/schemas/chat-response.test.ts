import { describe, expect, it } from 'vitest';
import { chatCompletionSchema, isWellFormedChatCompletion } from './chat-response.js';

describe('isWellFormedChatCompletion', () => {
  it('accepts only what chatCompletionSchema accepts', () => {
    const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
    const bodies: unknown[] = [
      { choices: [{ index: 0 }], usage },
      { id: null, choices: [] },
      { choices: [], usage: null },
      { choices: [], usage: { prompt_tokens: 3 } },
      { choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, details: {} } },
      { choices: [], usage: { completion_tokens: 2 } },
      { choices: [], usage: { prompt_tokens: -1 } },
      { choices: [], usage: { prompt_tokens: '3' } },
      { choices: [], usage: { prompt_tokens: 3, total_tokens: null } },
      { choices: [], usage: [] },
      { choices: [null] },
      { choices: [[]] },
      { choices: {} },
      {},
      [],
      null,
      'text',
    ];
    for (const body of bodies) {
      expect({ body, accepted: isWellFormedChatCompletion(body) }).toEqual({ body, accepted: chatCompletionSchema.safeParse(body).success });
    }
  });
});
