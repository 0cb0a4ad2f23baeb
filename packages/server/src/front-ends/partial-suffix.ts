/**
 * The length of the longest end of `text` that is a beginning of `tag`: what a streaming reader holds back, since
 * the next delta may complete the tag.
 */
export function partialSuffix(text: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length -= 1) {
    if (text.endsWith(tag.slice(0, length))) return length;
  }
  return 0;
}
