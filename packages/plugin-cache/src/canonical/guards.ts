/**
 * Literal guards: facts in free text that a near match must share exactly, because a small
 * edit to them changes the meaning (numbers, code identifiers and paths, negations).
 */
import type { Guards } from '../config.js';
import { isNegation, tokens } from './words.js';

const NUMBER = /\d+(?:\.\d+)?/g;
const TRIM = /^[\s"'`([{<]+|[\s"'`)\]}>.,;:!?]+$/g;

function isIdentifier(token: string): boolean {
  return (
    /[a-z][A-Z]/.test(token) || // camelCase
    /[A-Za-z]_[A-Za-z0-9]/.test(token) || // snake_case
    /[\w.-]\/[\w.-]/.test(token) || // a/path
    /[A-Za-z]\.[A-Za-z]/.test(token) || // file.ext, a.b
    /::|->|#/.test(token)
  );
}

/** A stable signature of the guarded facts in `text` (original case); equal signatures pass. */
export function guardSignature(text: string, guards: Guards): string {
  const parts: string[] = [];
  if (guards.numbers) {
    const nums = (text.match(NUMBER) ?? []).map((n) => String(Number(n))).sort();
    if (nums.length) parts.push(`n=${nums.join(',')}`);
  }
  if (guards.identifiers) {
    const ids = new Set<string>();
    for (const raw of text.split(/\s+/)) {
      const t = raw.replace(TRIM, '');
      if (t && isIdentifier(t)) ids.add(t.toLowerCase());
    }
    if (ids.size) parts.push(`i=${[...ids].sort().join(',')}`);
  }
  if (guards.negation) {
    const negs = tokens(text).filter(isNegation).length;
    if (negs) parts.push(`not=${negs}`);
  }
  return parts.join('|');
}
