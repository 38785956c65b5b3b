/**
 * Named entities as a near match must keep them: a capitalised word that does not start a
 * sentence (`to French`, `Paris to London`). Checked on a pair, not per text, so that a change of
 * case alone (`the LOGIN handler`) passes while another or a swapped entity does not: the words
 * that either text capitalises must occur in both texts in the same order.
 */

const SENTENCES = /(?<=[.!?:;])\s+|\n+/u;
const WORD = /[\p{L}\p{N}_]+(?:['’][\p{L}]+)?/gu;
const CAPITALISED = /^\p{Lu}/u;

function entityWords(text: string, into: Set<string>): void {
  for (const sentence of text.split(SENTENCES)) {
    const words = sentence.match(WORD) ?? [];
    for (let i = 1; i < words.length; i++) if (CAPITALISED.test(words[i]!)) into.add(words[i]!.toLowerCase());
  }
}

function occurrences(text: string, entities: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const w of text.match(WORD) ?? []) {
    const l = w.toLowerCase();
    if (entities.has(l)) out.push(l);
  }
  return out;
}

/** Whether two texts (original case) name the same entities in the same order. */
export function sameEntities(a: string, b: string): boolean {
  const entities = new Set<string>();
  entityWords(a, entities);
  entityWords(b, entities);
  if (entities.size === 0) return true;
  const x = occurrences(a, entities);
  const y = occurrences(b, entities);
  return x.length === y.length && x.every((w, i) => w === y[i]);
}
