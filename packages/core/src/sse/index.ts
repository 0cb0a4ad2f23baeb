export { formatSseComment, formatSseData, SSE_DONE, sseDataLineValue } from './format-sse.js';
export { parseSse, parseSseBatches } from './parse-sse.js';
export { DONE_DATA, type SseEvent } from './sse-event.js';
