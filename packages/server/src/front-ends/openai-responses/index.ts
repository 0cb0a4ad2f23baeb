export { createOpenAIResponsesFrontEnd } from './openai-responses-front-end.js';
export type { ResponsesRequest } from './request-schema.js';
export { refuseStoredStateRoutes } from './stored-state-routes.js';
