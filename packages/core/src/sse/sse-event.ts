/** One server-sent event as received: `data` is the raw text, never re-serialised. */
export interface SseEvent {
  data: string;
  event?: string | undefined;
  id?: string | undefined;
}

/** The sentinel OpenAI-compatible streams end with. */
export const DONE_DATA = '[DONE]';
