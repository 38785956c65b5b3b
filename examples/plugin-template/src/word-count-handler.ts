/** The `template.wordCount` task: counts words in a text. */
import type { TaskHandler } from '@weft/engine';
import { z } from 'zod';

export const WORD_COUNT_TASK = 'template.wordCount';

export const wordCountInput = z.strictObject({ text: z.string() });
export type WordCountInput = z.infer<typeof wordCountInput>;

export interface WordCountOutput {
  readonly words: number;
  /** The most frequent word (lower-cased), or undefined for a text without words. */
  readonly top?: string;
}

export function wordCountHandler(minWordLength: number): TaskHandler<WordCountInput, WordCountOutput> {
  return ({ text }, ctx) => {
    const counts = new Map<string, number>();
    for (const word of text.toLowerCase().split(/[^\p{L}\p{N}']+/u)) {
      if (word.length >= minWordLength) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    let top: string | undefined;
    let best = 0;
    // Ties go to the word seen first, so the answer does not depend on Map internals.
    for (const [word, n] of counts) {
      if (n > best) [top, best] = [word, n];
    }
    const words = [...counts.values()].reduce((a, b) => a + b, 0);
    ctx.span.setAttribute('template.words', words);
    return top === undefined ? { words } : { words, top };
  };
}
