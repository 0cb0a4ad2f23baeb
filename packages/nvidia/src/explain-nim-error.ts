import { NVIDIA_API_KEY_ENV } from './constants.js';

export interface NimErrorInput {
  status: number;
  bodyText: string;
  /** The backend's configured name, for the configuration key a message points at. Default `nvidia`. */
  backend?: string | undefined;
}

const REJECTED_FIELD = /extra inputs|extra_forbidden|unsupported parameter|unrecognized request argument|not permitted/i;
/** vLLM's refusal of tools by a deployment without a tool-call parser. */
const NO_TOOL_PARSER = /enable-auto-tool-choice|tool-call-parser/i;

/**
 * What an error status means at NVIDIA, as the lead of the client's message (NIM's own `detail`/`title` follows
 * it). NIM answers with problem details that OpenAI SDKs cannot read, so without this clients see "(no body)".
 * Undefined where the generic lead says enough.
 */
export function explainNimError({ status, bodyText, backend = 'nvidia' }: NimErrorInput): string | undefined {
  switch (status) {
    case 401:
      return (
        `NVIDIA refused the API key (HTTP 401): it is invalid or revoked, or the model is not enabled for this NVIDIA ` +
        `account. Check ${NVIDIA_API_KEY_ENV}, and that backends.${backend}.api_key is not set to another key such as the proxy's own`
      );
    case 403:
      return `NVIDIA refused the API key (HTTP 403): it is invalid, revoked or not allowed this request. Check ${NVIDIA_API_KEY_ENV}`;
    case 404:
      return 'NVIDIA does not serve this model (HTTP 404): the model id is unknown, not enabled for this NVIDIA account, or retired';
    case 410:
      return 'NVIDIA has retired this model (HTTP 410): it is no longer served; pick a current model id';
    case 422:
      return 'NVIDIA NIM rejected a field of the request (HTTP 422)';
    case 400:
      if (NO_TOOL_PARSER.test(bodyText)) {
        return 'This NIM model cannot call tools (HTTP 400: its deployment has no tool-call parser): pick a model that supports tool calling, or send the request without tools';
      }
      return REJECTED_FIELD.test(bodyText)
        ? 'NVIDIA NIM rejected a field of the request (HTTP 400)'
        : 'NVIDIA NIM rejected the request (HTTP 400)';
    case 429:
      return 'NVIDIA rate-limited the request (HTTP 429; the free tier allows about 40 requests per minute)';
    default:
      return undefined;
  }
}
