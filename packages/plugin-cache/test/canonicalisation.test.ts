import { describe, expect, it } from 'vitest';
import { canonicalise, guardSignature, resolvePolicy, stableJson } from '@weft/plugin-cache';

const policy = (p: Parameters<typeof resolvePolicy>[1] = {}) => resolvePolicy({}, p);

describe('canonical form', () => {
  it('ignores key order at every level', () => {
    const a = canonicalise('t', '1', { b: 1, a: { y: [1, 2], x: 'q' } }, policy());
    const b = canonicalise('t', '1', { a: { x: 'q', y: [1, 2] }, b: 1 }, policy());
    expect(a.key).toBe(b.key);
    expect(a.json).toBe('{"a":{"x":"q","y":[1,2]},"b":1}');
  });

  it('keeps array order, because arrays are ordered data', () => {
    expect(canonicalise('t', '1', { xs: [1, 2] }, policy()).key).not.toBe(canonicalise('t', '1', { xs: [2, 1] }, policy()).key);
  });

  it('collapses whitespace by default and can be told not to', () => {
    expect(canonicalise('t', '1', { q: '  fix   the\nbug ' }, policy()).key).toBe(canonicalise('t', '1', { q: 'fix the bug' }, policy()).key);
    expect(canonicalise('t', '1', { q: 'a  b' }, policy({ whitespace: false })).key).not.toBe(canonicalise('t', '1', { q: 'a b' }, policy({ whitespace: false })).key);
  });

  it('folds case only when the type asks for it', () => {
    expect(canonicalise('t', '1', { q: 'Fix Bug' }, policy()).key).not.toBe(canonicalise('t', '1', { q: 'fix bug' }, policy()).key);
    expect(canonicalise('t', '1', { q: 'Fix Bug' }, policy({ caseInsensitive: true })).key).toBe(canonicalise('t', '1', { q: 'fix bug' }, policy({ caseInsensitive: true })).key);
  });

  it('keeps only allow-listed fields and drops ignored ones', () => {
    const p = policy({ fields: ['repo', 'req.path'], ignore: ['req.path.debug'] });
    const a = canonicalise('t', '1', { repo: 'a', requestId: 'r1', req: { path: { p: 1, debug: true }, at: 5 } }, p);
    const b = canonicalise('t', '1', { repo: 'a', requestId: 'r2', req: { path: { p: 1 }, at: 9 } }, p);
    expect(a.key).toBe(b.key);
    expect(a.json).toBe('{"repo":"a","req":{"path":{"p":1}}}');
  });

  it('separates task types and handler versions', () => {
    const input = { q: 'x' };
    expect(canonicalise('a', '1', input, policy()).key).not.toBe(canonicalise('b', '1', input, policy()).key);
    expect(canonicalise('a', '1', input, policy()).key).not.toBe(canonicalise('a', '2', input, policy()).key);
  });

  it('puts prose into the text part and everything else into the partition', () => {
    const p = policy({ mustMatch: ['repo'] });
    const a = canonicalise('t', '1', { repo: 'weft', q: 'Fix the login handler', limit: 10 }, p);
    const b = canonicalise('t', '1', { repo: 'weft', q: 'fix login handler please', limit: 10 }, p);
    expect(a.partition).toBe(b.partition);
    expect(a.text).toBe('fix the login handler');
    expect(canonicalise('t', '1', { repo: 'atlas', q: 'Fix the login handler', limit: 10 }, p).partition).not.toBe(a.partition);
    expect(canonicalise('t', '1', { repo: 'weft', q: 'Fix the login handler', limit: 20 }, p).partition).not.toBe(a.partition);
  });

  it('compares must-match fields exactly even when they hold prose', () => {
    const p = policy({ mustMatch: ['title'] });
    const a = canonicalise('t', '1', { title: 'fix the bug', body: 'some long text here' }, p);
    const b = canonicalise('t', '1', { title: 'fix the bugs', body: 'some long text here' }, p);
    expect(a.partition).not.toBe(b.partition);
    expect(a.text).toBe('some long text here');
  });

  it('applies configured synonyms to the text', () => {
    const p = resolvePolicy({ synonyms: { fix: ['repair'] } });
    expect(canonicalise('t', '1', { q: 'Repair the parser' }, p).text).toBe('fix the parser');
  });

  it('guards numbers, identifiers and negations in text', () => {
    const all = { numbers: true, identifiers: true, negation: true };
    expect(guardSignature('show the last 10 commits', all)).not.toBe(guardSignature('show the last 12 commits', all));
    expect(guardSignature('explain parseUser', all)).not.toBe(guardSignature('explain parseOrder', all));
    expect(guardSignature('open src/a.ts now', all)).not.toBe(guardSignature('open src/b.ts now', all));
    expect(guardSignature('delete the cache', all)).not.toBe(guardSignature('do not delete the cache', all));
    expect(guardSignature('Explain ParseUser', all)).toBe(guardSignature('explain parseUser', all));
    expect(guardSignature('show the last 10 commits', { ...all, numbers: false })).toBe(guardSignature('show the last 12 commits', { ...all, numbers: false }));
  });

  it('serialises -0 as 0 and drops undefined fields', () => {
    expect(stableJson({ a: -0, b: undefined })).toBe('{"a":0}');
  });
});
