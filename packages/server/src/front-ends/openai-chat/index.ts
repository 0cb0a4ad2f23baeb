export { openAIChatFrontEnd, type OpenAIChatOptions } from './openai-chat-front-end.js';
export { renderOpenAIError } from './render-openai-error.js';
