/** The bench's questions, one per client API; the fast upstream answers each the same way. */
export const JSON_BODY = JSON.stringify({ model: 'nvidia:meta/llama3-70b-instruct', messages: [{ role: 'user', content: 'Hello!' }], max_completion_tokens: 64 });
export const STREAM_BODY = JSON.stringify({ model: 'nvidia:meta/llama3-70b-instruct', stream: true, messages: [{ role: 'user', content: 'Hello!' }] });
/** The same question as an Anthropic Messages request (what Claude Code sends, less its tools and system text). */
export const MESSAGES_BODY = JSON.stringify({ model: 'nvidia:meta/llama3-70b-instruct', max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'Hello!' }] });
/** The same question as a Responses request (what Codex sends, less its tools), translated by the proxy both ways. */
export const RESPONSES_BODY = JSON.stringify({ model: 'nvidia:meta/llama3-70b-instruct', stream: true, input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hello!' }] }], store: false });
