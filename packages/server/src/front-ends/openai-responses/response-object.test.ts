import { describe, expect, it } from 'vitest';
import { createOpenAIResponsesFrontEnd } from './openai-responses-front-end.js';
import { estimatedResponsesUsage } from './response-object.js';

const frontEnd = createOpenAIResponsesFrontEnd();
const inputTokens = (input: unknown[]) => estimatedResponsesUsage(0, frontEnd.parse({ model: 'm', input })).input_tokens;

describe('the input estimate when NIM reported no usage', () => {
  const question = { role: 'user', content: [{ type: 'input_text', text: 'What is on this screenshot? '.repeat(20) }] };

  it('counts an image as an image, not as the characters of its data URL', () => {
    // A 1 MB screenshot as a data URL: counted as text it would claim ≈ 350,000 tokens, more than the model's
    // whole window, and Codex (which compacts its context by input_tokens) would compact after every turn.
    const screenshot = `data:image/png;base64,${'A'.repeat(1_400_000)}`;
    const withImage = inputTokens([{ ...question, content: [...question.content, { type: 'input_image', image_url: screenshot }] }]);
    const without = inputTokens([question]);
    expect(withImage - without).toBeGreaterThan(0);
    expect(withImage - without).toBeLessThanOrEqual(2_000);
    // Tool outputs carry images too (Codex's view_image).
    const toolImage = inputTokens([question, { type: 'function_call', call_id: 'c', name: 'view_image', arguments: '{}' }, { type: 'function_call_output', call_id: 'c', output: [{ type: 'input_image', image_url: screenshot }] }]);
    expect(toolImage - without).toBeLessThanOrEqual(2_100);
  });

  it('leaves out what never reaches NIM: reasoning sealed by another provider', () => {
    const sealed = { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAA'.repeat(20_000) };
    expect(inputTokens([question, sealed])).toBeLessThan(inputTokens([question]) + 50);
  });

  it('still counts the text: about four characters a token', () => {
    expect(inputTokens([{ role: 'user', content: 'x'.repeat(4_000) }])).toBeGreaterThanOrEqual(1_000);
  });
});
