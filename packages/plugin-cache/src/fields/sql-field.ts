/**
 * The `sql` kind: two queries match when their tokens do, as the sql-highlight tokenizer reads
 * them. Keyword, function and unquoted identifier case, whitespace, `--` and `/* *\/` comments
 * and trailing `;` do not count; string literals, quoted identifiers, numbers and operators do
 * (`'Bob'` is not `'bob'`, `>` is not `>=`, `SELECT *` is not `SELECT id`). `<>` and `!=` are the
 * same operator.
 */
import { getSegments } from 'sql-highlight';

/** Token kinds whose text is case-insensitive in SQL. */
const FOLDED = new Set(['keyword', 'function', 'identifier']);
/** A dollar-quoted string (`$$…$$`, `$tag$…$tag$`) is not seen as a string by the tokenizer: nothing is folded then. */
const DOLLAR_QUOTE = /\$[A-Za-z_0-9]*\$/;

export function canonicalSql(raw: string): string {
  const foldCase = !DOLLAR_QUOTE.test(raw);
  const tokens: string[] = [];
  for (const { name, content } of getSegments(raw)) {
    if (name === 'whitespace') continue;
    // `#` starts a comment only in MySQL; elsewhere it is an operator, so it stays a token.
    if (name === 'comment' && !content.startsWith('#')) continue;
    let t = content;
    if (name === 'keyword') t = t.replace(/\s+/g, ' ');
    // Quoted identifiers (`x`) keep their case; bare ones fold.
    if (foldCase && FOLDED.has(name) && !t.startsWith('`')) t = t.toLowerCase();
    if (name === 'special' && t === '<>') t = '!=';
    tokens.push(`${name}:${t}`);
  }
  while (tokens.length && tokens[tokens.length - 1] === 'special:;') tokens.pop();
  return tokens.join(' ');
}
