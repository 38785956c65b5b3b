/**
 * The check a near hit must pass besides its similarity: every content word on each side has a
 * counterpart on the other (the same stem, or one typo away). Reordering, inflection, filler
 * words, case and configured synonyms pass; a replaced, added or dropped word does not, however
 * long the text around it.
 */
import { contentWords, oneEditApart } from './words.js';

function covered(words: readonly string[], other: readonly string[], otherSet: ReadonlySet<string>): boolean {
  for (const w of words) {
    if (otherSet.has(w)) continue;
    if (!other.some((o) => oneEditApart(w, o))) return false;
  }
  return true;
}

export function sameWords(a: string, b: string): boolean {
  const wa = contentWords(a);
  const wb = contentWords(b);
  return covered(wa, wb, new Set(wb)) && covered(wb, wa, new Set(wa));
}
