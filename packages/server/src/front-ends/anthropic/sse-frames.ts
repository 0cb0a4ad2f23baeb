// Anthropic's stream frames, written as strings: the encoder builds each frame's text directly (one
// JSON.stringify per piece of model text) instead of an object per event that would then be serialised whole.

export function frame(type: string, data: string): string {
  return `event: ${type}\ndata: ${data}\n\n`;
}

export const PING_FRAME = 'event: ping\ndata: {"type":"ping"}\n\n';

/**
 * The signature of a thinking block. Anthropic signs its own models' reasoning; a NIM model's cannot be signed,
 * but clients (Claude Code among them) expect the field, and one that is present and non-empty, so it carries
 * this marker. The proxy ignores signatures sent back.
 */
export const THINKING_SIGNATURE = 'nim-proxy-unsigned';

export function blockStart(index: number, block: string): string {
  return `event: content_block_start\ndata: {"type":"content_block_start","index":${index},"content_block":${block}}\n\n`;
}

export function blockDelta(index: number, delta: string): string {
  return `event: content_block_delta\ndata: {"type":"content_block_delta","index":${index},"delta":${delta}}\n\n`;
}

export function blockStop(index: number): string {
  return `event: content_block_stop\ndata: {"type":"content_block_stop","index":${index}}\n\n`;
}

export const TEXT_BLOCK = '{"type":"text","text":""}';
export const THINKING_BLOCK = '{"type":"thinking","thinking":"","signature":""}';

export function toolUseBlock(id: string, name: string): string {
  return `{"type":"tool_use","id":${JSON.stringify(id)},"name":${JSON.stringify(name)},"input":{}}`;
}

export function textDelta(text: string): string {
  return `{"type":"text_delta","text":${JSON.stringify(text)}}`;
}

export function thinkingDelta(text: string): string {
  return `{"type":"thinking_delta","thinking":${JSON.stringify(text)}}`;
}

export const SIGNATURE_DELTA = `{"type":"signature_delta","signature":${JSON.stringify(THINKING_SIGNATURE)}}`;

export function inputJsonDelta(json: string): string {
  return `{"type":"input_json_delta","partial_json":${JSON.stringify(json)}}`;
}
