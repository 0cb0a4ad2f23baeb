import type { IdStyle } from './scenario.js';

export function completionId(sequence: number, style: IdStyle = 'string'): string | number | null {
  if (style === 'null') return null;
  if (style === 'number') return sequence;
  return `chatcmpl-mock-${sequence}`;
}

export function toolCallId(sequence: number, index: number, style: IdStyle = 'string'): string | number | null {
  if (style === 'null') return null;
  if (style === 'number') return sequence * 100 + index;
  return `call_mock_${sequence}_${index}`;
}

/** A stable UUID-shaped string for a name, like the function ids in NIM's 404 details. */
export function uuidFor(name: string): string {
  let hash = 0x811c9dc5;
  const hex: string[] = [];
  for (let round = 0; round < 4; round += 1) {
    for (const char of `${round}:${name}`) {
      hash ^= char.charCodeAt(0);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    hex.push(hash.toString(16).padStart(8, '0'));
  }
  const all = hex.join('');
  return `${all.slice(0, 8)}-${all.slice(8, 12)}-4${all.slice(13, 16)}-a${all.slice(17, 20)}-${all.slice(20, 32)}`;
}
