import type { ReasoningMode } from './scenario.js';

export interface MockModel {
  id: string;
  /** Defaults to the part of the id before the `/`. */
  ownedBy?: string;
  /** Unix seconds; defaults to {@link DEFAULT_MODEL_CREATED}. */
  created?: number;
  /** Where this model puts its reasoning; defaults to `'none'`. */
  reasoning?: ReasoningMode;
  /**
   * The largest `max_tokens` the model's schema takes: a request asking for more gets NIM's 422, pydantic's
   * `less_than_equal` at `('body', 'max_tokens')`. Unlimited by default.
   */
  maxTokens?: number;
  /**
   * The model's context window (vLLM's `--max-model-len`), in the mock's tokens (words of the messages' text): a
   * request whose prompt and `max_tokens` together exceed it gets vLLM's 400, `This model's maximum context length is
   * N tokens. However, you requested T tokens (P in the messages, C in the completion). …`. Unlimited by default.
   */
  contextTokens?: number;
  /**
   * The keys whose account has the model enabled; any other accepted key gets NIM's 401, the same answer as a bad
   * key. Every accepted key by default.
   */
  keys?: readonly string[];
  /**
   * `'minimax'`: the model writes its tool calls into `content` as MiniMax's markup
   * (`<minimax:tool_call><invoke name="…"><parameter name="…">…</parameter></invoke></minimax:tool_call>`) and
   * finishes with `stop`, as MiniMax models do on NIM builds without MiniMax's tool parser. Off by default.
   */
  toolMarkup?: 'minimax';
  /**
   * `false`: served without a tool-call parser, the model answers a request that offers tools (with `tool_choice`
   * absent or `auto`) with vLLM's 400 `"auto" tool choice requires --enable-auto-tool-choice and
   * --tool-call-parser to be set`. Tool calling works by default.
   */
  toolParser?: false;
  /**
   * Top-level fields this model's schema refuses on top of the endpoint's (`rejectFields` of the mock's options),
   * answered in the mock's `validationErrorStyle`: NIM builds differ per model (`reasoning`, `frequency_penalty`…).
   */
  rejectFields?: readonly string[];
  /**
   * `true`: a DeepSeek-V4-style reasoning model that answers 400 (`Missing \`reasoning_content\` field in the
   * assistant message at message index N`) to a request whose assistant message with `tool_calls` does not carry its
   * `reasoning_content` back (an empty string passes). Off by default.
   */
  reasoningReplay?: boolean;
  /**
   * `true`: the model answers a non-streaming request without `max_tokens` with 200 and `choices: []`, as MiniMax
   * models on hosted NIM were reported to (agent projects now always send a limit to NIM). Off by default.
   */
  noChoicesWithoutMaxTokens?: boolean;
  /**
   * An embedding model: `POST /embeddings` answers it with vectors of `dimensions` numbers (deterministic, from
   * the text and its `input_type`). `inputTypeRequired`: an asymmetric retrieval model, which refuses a request
   * without `input_type`; `matryoshka`: it takes `dimensions` (others refuse the field, as NIM's strict schema does).
   */
  embedding?: { dimensions: number; inputTypeRequired?: boolean; matryoshka?: boolean };
}

export const DEFAULT_MODEL_CREATED = 1_735_689_600;

export const DEFAULT_MODELS: readonly MockModel[] = [
  { id: 'meta/llama3-70b-instruct' },
  { id: 'meta/llama-3.1-8b-instruct' },
  { id: 'stepfun-ai/step-3.5-flash', reasoning: 'reasoning_content' },
  { id: 'deepseek-ai/deepseek-r1', reasoning: 'reasoning_content' },
  { id: 'qwen/qwq-32b', reasoning: 'think-tags' },
  { id: 'nvidia/nv-embedqa-e5-v5', embedding: { dimensions: 16, inputTypeRequired: true } },
  { id: 'nvidia/llama-3.2-nv-embedqa-1b-v2', embedding: { dimensions: 16, inputTypeRequired: true, matryoshka: true } },
  { id: 'baai/bge-m3', embedding: { dimensions: 16 } },
];

/** Models that answer 410 Gone by default. */
export const DEFAULT_RETIRED_MODELS: readonly string[] = ['meta/llama2-70b'];

export interface OpenAIModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export function toOpenAIModel(model: MockModel): OpenAIModel {
  return {
    id: model.id,
    object: 'model',
    created: model.created ?? DEFAULT_MODEL_CREATED,
    owned_by: model.ownedBy ?? model.id.split('/')[0] ?? 'nvidia',
  };
}

export function modelListBody(models: readonly MockModel[]): { object: 'list'; data: OpenAIModel[] } {
  return { object: 'list', data: models.map(toOpenAIModel) };
}
