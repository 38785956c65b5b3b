import { describe, expect, it } from 'vitest';
import type { TypePolicyInput } from '@weft/plugin-cache';
import { canonicalise, canonicalPath, canonicalSql, canonicalUrl, guardSignature, resolvePolicy, stableJson } from '@weft/plugin-cache/canonical';

const policy = (p: Omit<TypePolicyInput, 'enabled'> = {}) => resolvePolicy({}, p);
const key = (input: unknown, p: Omit<TypePolicyInput, 'enabled'> = {}) => canonicalise('t', '1', input, policy(p)).key;
const same = (a: unknown, b: unknown, p: Omit<TypePolicyInput, 'enabled'> = {}) => key(a, p) === key(b, p);

describe('canonical form', () => {
  it('ignores key order at every level', () => {
    const a = canonicalise('t', '1', { b: 1, a: { y: [1, 2], x: 'q' } }, policy());
    expect(a.key).toBe(key({ a: { x: 'q', y: [1, 2] }, b: 1 }));
    expect(a.json).toBe('{"a":{"x":"q","y":[1,2]},"b":1}');
  });

  it('compares undeclared fields exactly, never as prose', () => {
    expect(same({ q: 'fix the bug' }, { q: 'fix the  bug' })).toBe(false);
    expect(same({ q: 'Fix the bug' }, { q: 'fix the bug' })).toBe(false);
    expect(same({ n: 100 }, { n: '100' })).toBe(false);
    expect(same({ xs: [1, 2] }, { xs: [2, 1] })).toBe(false);
    expect(canonicalise('t', '1', { q: 'fix the login handler please' }, policy()).text).toBe('');
  });

  it('applies Unicode NFKC before every comparison', () => {
    expect(same({ q: 'caf\u00e9' }, { q: 'cafe\u0301' })).toBe(true);
    expect(same({ q: 'ＡＢＣ１２３' }, { q: 'ABC123' })).toBe(true);
    expect(same({ ['ｋｅｙ']: 1 }, { key: 1 })).toBe(true);
  });

  it('number: numbers and numeric strings alike, in any script', () => {
    const p = { fields: { n: 'number' as const } };
    expect(same({ n: 100 }, { n: '100' }, p)).toBe(true);
    expect(same({ n: '1e2' }, { n: ' 100.0 ' }, p)).toBe(true);
    expect(same({ n: '１００' }, { n: 100 }, p)).toBe(true);
    expect(same({ n: '١٠٠' }, { n: 100 }, p)).toBe(true);
    expect(same({ n: 100 }, { n: 1000 }, p)).toBe(false);
    expect(same({ n: '9007199254740993' }, { n: '9007199254740992' }, p)).toBe(false);
    expect(same({ n: 'abc' }, { n: 'ABC' }, p)).toBe(false);
  });

  it('enum: codes without case', () => {
    const p = { fields: { lang: 'enum' as const, method: 'enum' as const } };
    expect(same({ lang: 'en-US', method: 'get' }, { lang: 'EN-us', method: 'GET' }, p)).toBe(true);
    expect(same({ lang: 'en-US' }, { lang: 'en-GB' }, p)).toBe(false);
  });

  it('url: RFC 3986 normalisation; query order only where declared unordered', () => {
    const p = { fields: { url: 'url' as const } };
    expect(same({ url: 'HTTP://Example.COM:80/a/./b/../c' }, { url: 'http://example.com/a/c' }, p)).toBe(true);
    expect(same({ url: 'https://example.com/%7euser/%2f' }, { url: 'https://example.com/~user/%2F' }, p)).toBe(true);
    expect(same({ url: 'https://example.com' }, { url: 'https://example.com:443/' }, p)).toBe(true);
    expect(same({ url: 'https://example.com/?a=1&b=2' }, { url: 'https://example.com/?b=2&a=1' }, p)).toBe(false);
    expect(same({ url: 'https://example.com/?a=1&b=2' }, { url: 'https://example.com/?b=2&a=1' }, { fields: { url: { kind: 'url', unordered: true } } })).toBe(
      true,
    );
    expect(same({ url: 'https://example.com/A' }, { url: 'https://example.com/a' }, p)).toBe(false);
    expect(same({ url: 'https://example.com/a' }, { url: 'https://example.org/a' }, p)).toBe(false);
    expect(same({ url: 'not a url' }, { url: 'NOT a url' }, p)).toBe(false);
  });

  it('path: dot segments, duplicate and trailing slashes', () => {
    const p = { fields: { file: 'path' as const } };
    expect(same({ file: './src//a/../b.ts' }, { file: 'src/b.ts' }, p)).toBe(true);
    expect(same({ file: 'src/lib/' }, { file: 'src/lib' }, p)).toBe(true);
    expect(same({ file: '/src/b.ts' }, { file: 'src/b.ts' }, p)).toBe(false);
    expect(same({ file: 'src/B.ts' }, { file: 'src/b.ts' }, p)).toBe(false);
  });

  it('headers: names without case (RFC 9110), values exactly', () => {
    const p = { fields: { headers: 'headers' as const } };
    expect(same({ headers: { Accept: 'text/html', 'X-Id': ' 7 ' } }, { headers: { 'x-id': '7', ACCEPT: 'text/html' } }, p)).toBe(true);
    expect(
      same(
        {
          headers: [
            ['Accept', 'a'],
            ['accept', 'b'],
          ],
        },
        { headers: { accept: 'a, b' } },
        p,
      ),
    ).toBe(true);
    expect(same({ headers: { Accept: 'text/html' } }, { headers: { Accept: 'TEXT/HTML' } }, p)).toBe(false);
  });

  it('set: same elements in any order', () => {
    const p = { fields: { labels: 'set' as const } };
    expect(same({ labels: ['b', 'a', 'a'] }, { labels: ['a', 'b'] }, p)).toBe(true);
    expect(same({ labels: ['a', 'b'] }, { labels: ['a', 'c'] }, p)).toBe(false);
  });

  it('sql: tokens, not prose', () => {
    const p = { fields: { q: 'sql' as const } };
    expect(same({ q: "SELECT id FROM users WHERE name = 'Bob' -- who\n;" }, { q: "select id\n  from USERS /* c */ where NAME='Bob'" }, p)).toBe(true);
    expect(same({ q: 'select a from t where x <> 1' }, { q: 'select a from t where x != 1' }, p)).toBe(true);
    expect(same({ q: 'select a from t where x = 1' }, { q: 'select a from t where x != 1' }, p)).toBe(false);
    expect(same({ q: 'select a from t where x > 1' }, { q: 'select a from t where x <= 1' }, p)).toBe(false);
    expect(same({ q: "select a from t where n = 'Bob'" }, { q: "select a from t where n = 'bob'" }, p)).toBe(false);
    expect(same({ q: 'select * from t' }, { q: 'select id from t' }, p)).toBe(false);
    expect(same({ q: 'select a from t limit 10' }, { q: 'select a from t limit 100' }, p)).toBe(false);
    expect(canonicalSql('SELECT 1;')).toBe(canonicalSql('select 1'));
  });

  it('reads url and number kinds from a JSON Schema, declared fields winning', () => {
    const schema = { type: 'object', properties: { target: { type: 'string', format: 'uri' }, n: { type: 'integer' }, s: { type: 'string' } } };
    expect(same({ target: 'HTTP://A.com/', n: '5' }, { target: 'http://a.com', n: 5 }, { schema })).toBe(true);
    expect(same({ s: 'x' }, { s: 'X' }, { schema })).toBe(false);
    expect(same({ n: '5' }, { n: 5 }, { schema, fields: { n: 'exact' } })).toBe(false);
  });

  it('puts only text fields into the text part, and drops ignored paths', () => {
    const p = { fields: { q: 'text' as const }, ignore: ['requestId'] };
    const a = canonicalise('t', '1', { repo: 'weft', q: 'Fix the  login handler', limit: 10, requestId: 'r1' }, policy(p));
    const b = canonicalise('t', '1', { repo: 'weft', q: 'fix login handler please', limit: 10, requestId: 'r2' }, policy(p));
    expect(a.partition).toBe(b.partition);
    expect(a.text).toBe('Fix the login handler');
    expect(canonicalise('t', '1', { repo: 'atlas', q: 'Fix the login handler', limit: 10 }, policy(p)).partition).not.toBe(a.partition);
    expect(canonicalise('t', '1', { repo: 'weft', q: 'Fix the login handler', limit: 20 }, policy(p)).partition).not.toBe(a.partition);
  });

  it('separates task types and handler versions', () => {
    const input = { q: 'x' };
    expect(canonicalise('a', '1', input, policy()).key).not.toBe(canonicalise('b', '1', input, policy()).key);
    expect(canonicalise('a', '1', input, policy()).key).not.toBe(canonicalise('a', '2', input, policy()).key);
  });

  it('applies configured synonyms to the text', () => {
    const p = resolvePolicy({ synonyms: { fix: ['repair'] } }, { fields: { q: 'text' } });
    expect(canonicalise('t', '1', { q: 'Repair the parser' }, p).text).toBe('fix the parser');
  });

  it('guards numbers (any script), quoted strings, identifiers and negations in text', () => {
    const all = { numbers: true, identifiers: true, negation: true, quoted: true, entities: true };
    expect(guardSignature('show the last 10 commits', all)).not.toBe(guardSignature('show the last 12 commits', all));
    expect(guardSignature('explain parseUser', all)).not.toBe(guardSignature('explain parseOrder', all));
    expect(guardSignature('open src/a.ts now', all)).not.toBe(guardSignature('open src/b.ts now', all));
    expect(guardSignature('delete the cache', all)).not.toBe(guardSignature('do not delete the cache', all));
    expect(guardSignature('delete the cache', all)).not.toBe(guardSignature("don't delete the cache", all));
    expect(guardSignature('greet "Bob"', all)).not.toBe(guardSignature('greet "bob"', all));
    expect(guardSignature("it's 'Bob'", all)).not.toBe(guardSignature("it's 'BOB'", all));
    expect(guardSignature('Explain ParseUser', all)).toBe(guardSignature('explain parseUser', all));
    expect(guardSignature('show the last 10 commits', { ...all, numbers: false })).toBe(guardSignature('show the last 12 commits', { ...all, numbers: false }));
  });

  it('normalises urls and paths to a fixed point', () => {
    expect(canonicalUrl(canonicalUrl('HTTP://a.COM:80/x/../%7e')!)).toBe(canonicalUrl('HTTP://a.COM:80/x/../%7e'));
    expect(canonicalPath(canonicalPath('./a//b/'))).toBe(canonicalPath('./a//b/'));
  });

  it('serialises -0 as 0 and drops undefined fields', () => {
    expect(stableJson({ a: -0, b: undefined })).toBe('{"a":0}');
  });
});
