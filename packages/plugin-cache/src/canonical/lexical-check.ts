/**
 * The check a near hit must pass besides its similarity:
 * - the two texts hold the same content words, counted (a word matches the same stem or a word
 *   one typo away), so a replaced, added, dropped or repeated word fails however long the text;
 * - the words keep their order up to moving whole phrases: the query must be the candidate cut
 *   into at most three pieces of two or more words each, rearranged. Reordered clauses pass;
 *   words that trade places (`json to yaml` / `yaml to json`) do not.
 * Reordering clauses, inflection, filler words, case and configured synonyms pass.
 */
import { contentTokens, oneEditApart, type ContentToken } from './words.js';

const MAX_PIECES = 3;
const MIN_PIECE = 2;

/** Each word's stem replaced by its counterpart's in `other`, or undefined when one has none. */
function align(words: readonly ContentToken[], other: readonly ContentToken[]): string[] | undefined {
  const stems = new Set(other.map((o) => o.stem));
  const out: string[] = [];
  for (const w of words) {
    if (stems.has(w.stem)) {
      out.push(w.stem);
      continue;
    }
    const match = other.find((o) => oneEditApart(w.raw, o.raw) || oneEditApart(w.stem, o.stem));
    if (match === undefined) return undefined;
    out.push(match.stem);
  }
  return out;
}

function sameMultiset(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((w, i) => w === y[i]);
}

/** Greedy longest-piece cover of `query` by unused runs of `candidate`: the piece lengths. */
function pieces(query: readonly string[], candidate: readonly string[]): number[] {
  const used = new Array<boolean>(candidate.length).fill(false);
  const lengths: number[] = [];
  for (let i = 0; i < query.length;) {
    let best = 0;
    let bestStart = -1;
    for (let s = 0; s < candidate.length; s++) {
      let k = 0;
      while (i + k < query.length && s + k < candidate.length && !used[s + k] && candidate[s + k] === query[i + k]) k++;
      if (k > best) {
        best = k;
        bestStart = s;
      }
    }
    if (best === 0) return [0];
    for (let k = 0; k < best; k++) used[bestStart + k] = true;
    lengths.push(best);
    i += best;
  }
  return lengths;
}

export function sameWords(a: string, b: string): boolean {
  const ta = contentTokens(a);
  const tb = contentTokens(b);
  const wb = tb.map((t) => t.stem);
  const aligned = align(ta, tb);
  if (!aligned || !align(tb, ta) || !sameMultiset(aligned, wb)) return false;
  const p = pieces(aligned, wb);
  return p.length === 1 || (p.length <= MAX_PIECES && p.every((n) => n >= MIN_PIECE));
}
