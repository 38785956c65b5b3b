/**
 * Hard negatives in free text: facts that a near match must share exactly, because a small edit
 * to them changes the task whatever the similarity (numbers, quoted strings, code identifiers and
 * paths, negations). Their signature is part of the partition, so a near match is only searched
 * among tasks that share them. Named entities are checked pairwise (entities.ts).
 */
import type { Guards } from '../config.js';
import { isNegation, tokens } from './words.js';

/** Text is already in Unicode form (every digit ASCII), so `\d` sees every script's digits. */
const NUMBER = /\d+(?:[.,]\d+)*/g;
const TRIM = /^[\s"'`([{<]+|[\s"'`)\]}>.,;:!?]+$/g;
/** Quoted strings: straight or curly quotes, guillemets, backticks; a single quote only at word boundaries (not `don't`). */
const QUOTED = /"([^"]*)"|“([^”]*)”|„([^“”]*)[“”]|«([^»]*)»|‘([^’]*)’|`([^`]*)`|(?<![\p{L}\p{N}])'([^']*)'(?![\p{L}\p{N}])/gu;

function isIdentifier(token: string): boolean {
  return (
    /[a-z][A-Z]/.test(token) || // camelCase
    /[A-Za-z]_[A-Za-z0-9]/.test(token) || // snake_case
    /[\w.-]\/[\w.-]/.test(token) || // a/path
    /[A-Za-z]\.[A-Za-z]/.test(token) || // file.ext, a.b
    /::|->|#/.test(token)
  );
}

const canonicalNumber = (n: string): string => {
  const plain = n.replace(/,(?=\d{3}\b)/g, '');
  const v = Number(plain);
  return Number.isFinite(v) && !/^0\d/.test(plain) ? String(v) : n;
};

/** The quoted strings of a text, case and inner spacing as written. */
export function quotedStrings(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(QUOTED)) out.push(m.slice(1).find((g) => g !== undefined) ?? '');
  return out;
}

/** A stable signature of the guarded facts in `text` (original case); equal signatures pass. */
export function guardSignature(text: string, guards: Guards): string {
  const parts: string[] = [];
  if (guards.numbers) {
    const nums = (text.match(NUMBER) ?? []).map(canonicalNumber).sort();
    if (nums.length) parts.push(`n=${nums.join(',')}`);
  }
  if (guards.quoted) {
    const q = quotedStrings(text).sort();
    if (q.length) parts.push(`q=${JSON.stringify(q)}`);
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
    const negs = tokens(text).filter((t) => isNegation(t) || t.endsWith("n't")).length;
    if (negs) parts.push(`not=${negs}`);
  }
  return parts.join('|');
}
