/**
 * The small, language-light text analysis shared by the default embedder and the lexical check:
 * tokens, stop words, a light stemmer, and "a typo away". English-leaning by design; a model
 * embedder brings its own understanding of text.
 */

/** Words that carry politeness or grammar, not meaning. Negations and prepositions are kept on purpose. */
const STOP_WORDS = new Set([
  'a',
  'an',
  'the',
  'please',
  'kindly',
  'could',
  'would',
  'can',
  'will',
  'you',
  'your',
  'me',
  'i',
  'we',
  'us',
  'my',
  'our',
  'just',
  'it',
  'its',
  'is',
  'are',
  'be',
  'am',
  'need',
  'want',
  'like',
  'id',
  'thanks',
  'thank',
  'hey',
  'hi',
  'to',
  'and',
]);

const NEGATIONS = new Set([
  'not',
  'no',
  'never',
  'without',
  'none',
  'nor',
  'nothing',
  'nobody',
  'cannot',
  "can't",
  "don't",
  "doesn't",
  "isn't",
  "won't",
  "shouldn't",
  "mustn't",
  "aren't",
  "wasn't",
  "didn't",
  "weren't",
  'dont',
  'doesnt',
  'isnt',
  'wont',
  'shouldnt',
  'didnt',
  'except',
  'excluding',
  'exclude',
]);

const WORD = /[\p{L}\p{N}_]+(?:['’][\p{L}]+)?/gu;

/** Lower-case word tokens in order, apostrophes normalised. */
export function tokens(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []).map((t) => t.replace('’', "'"));
}

export function isNegation(word: string): boolean {
  return NEGATIONS.has(word);
}

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/** A light suffix stripper: `fixes`, `fixed`, `fixing` → `fix`; `updated`, `updates` → `updat`. */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3);
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2);
  else if (/(ss|x|ch|sh|z)es$/.test(w) && w.length > 4) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && w.length > 3) w = w.slice(0, -1);
  if (/([^aeiouls])\1$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return w;
}

/** The meaning-bearing words of a text: tokens without stop words, stemmed. */
export function contentWords(text: string): string[] {
  const out: string[] = [];
  for (const t of tokens(text)) if (!STOP_WORDS.has(t)) out.push(stem(t));
  return out;
}

export interface ContentToken {
  readonly raw: string;
  readonly stem: string;
}

/** Content words with their surface form, for typo matching before stemming hides the typo's shape. */
export function contentTokens(text: string): ContentToken[] {
  const out: ContentToken[] = [];
  for (const t of tokens(text)) if (!STOP_WORDS.has(t)) out.push({ raw: t, stem: stem(t) });
  return out;
}

/** Replaces whole words by their canonical synonym (matched without case). */
export function applySynonyms(text: string, synonyms: ReadonlyMap<string, string>): string {
  if (synonyms.size === 0) return text;
  return text.replace(WORD, (w) => synonyms.get(w.toLowerCase()) ?? w);
}

/** Whether two different words are one edit apart (insert, delete, substitute, swap neighbours), for words of 5+ letters. */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.min(a.length, b.length) < 5 || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
