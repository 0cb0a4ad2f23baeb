import { distance } from 'fastest-levenshtein';

/**
 * The known key a mistyped one most likely meant: the nearest by edit distance (case ignored), when it is near
 * enough to be a slip of the fingers (two edits, or a third of the key for long keys) rather than another word.
 * The distance is `fastest-levenshtein`'s: small, dependency-free and widely used, so no distance code of our own to test.
 */
export function nearestKey(typed: string, known: readonly string[]): string | undefined {
  const wanted = typed.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const key of known) {
    const edits = distance(wanted, key.toLowerCase());
    if (edits < bestDistance && edits <= Math.max(2, Math.floor(key.length / 3))) {
      best = key;
      bestDistance = edits;
    }
  }
  return best;
}
