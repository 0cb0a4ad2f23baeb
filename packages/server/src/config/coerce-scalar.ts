// Env vars and flags arrive as text. Text that reads as the wanted type is converted; anything else is passed on
// unchanged so validation rejects it with the key's path and the expected type.

/**
 * Decimal notation only (`8000`, `1.5`, `2e6`): `Number` would also read `0x1f40`, `0b1` and `0o17`, and a port or a
 * limit an operator did not mean to write in hex must be refused, not quietly become another number.
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function toNumber(text: string): number | string {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) return text;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : text;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function toBoolean(text: string): boolean | string {
  const normalised = text.trim().toLowerCase();
  if (TRUE.has(normalised)) return true;
  if (FALSE.has(normalised)) return false;
  return text;
}

/** `a, b,,c` → `['a', 'b', 'c']`. */
export function toList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
