/** Property tests (fast-check, seeded) on canonicalisation. */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { canonicalise, canonicalPath, canonicalUrl, resolvePolicy, unicodeForm } from '@weft/plugin-cache/canonical';

const SEED = 20261203;
const run = (prop: fc.IProperty<never> | fc.IAsyncProperty<never>) => fc.assert(prop as fc.IProperty<unknown>, { seed: SEED, numRuns: 300 });

const policy = resolvePolicy(
  {},
  {
    fields: {
      method: 'enum',
      url: { kind: 'url', unordered: true },
      strictUrl: 'url',
      file: 'path',
      headers: 'headers',
      labels: 'set',
      limit: 'number',
    },
  },
);
const keyOf = (input: unknown) => canonicalise('t', '1', input, policy).key;

const segment = fc.stringMatching(/^[a-z0-9_-]{1,6}$/);
const host = fc.stringMatching(/^[a-z][a-z0-9]{0,8}\.(com|org|dev)$/);
const param = fc.tuple(fc.stringMatching(/^[a-z]{1,4}$/), fc.stringMatching(/^[a-z0-9]{0,4}$/)).map(([k, v]) => `${k}=${v}`);
const urlParts = fc.record({ https: fc.boolean(), host, path: fc.array(segment, { maxLength: 4 }), query: fc.uniqueArray(param, { maxLength: 4 }) });
type UrlParts = typeof urlParts extends fc.Arbitrary<infer T> ? T : never;
const plainUrl = (u: UrlParts) => `${u.https ? 'https' : 'http'}://${u.host}/${u.path.join('/')}${u.query.length ? `?${u.query.join('&')}` : ''}`;
/** The same URL written another way: scheme and host case, explicit default port, dot segments, encoded unreserved characters. */
const variantUrl = (u: UrlParts, shuffleQuery: boolean) => {
  const path = u.path.flatMap((s) => ['.', 'x', '..', s]).map((s) => s.replace(/a/g, '%61'));
  const query = shuffleQuery ? [...u.query].reverse() : u.query;
  return `${u.https ? 'HTTPS' : 'Http'}://${u.host.toUpperCase()}:${u.https ? 443 : 80}/${path.join('/')}${query.length ? `?${query.join('&')}` : ''}`;
};
const filePath = fc.array(segment, { minLength: 1, maxLength: 5 });
const variantPath = (p: string[]) => `./${p.join('//')}/`;

const record = fc.record({
  method: fc.constantFrom('get', 'post', 'put'),
  url: urlParts,
  strictUrl: urlParts,
  file: filePath,
  headers: fc.dictionary(fc.stringMatching(/^[a-z][a-z-]{0,8}$/), fc.stringMatching(/^[a-z0-9/ ]{0,8}$/), { maxKeys: 4 }),
  labels: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,5}$/), { maxLength: 5 }),
  limit: fc.integer({ min: 0, max: 10_000 }),
  id: fc.string({ maxLength: 8 }),
  tags: fc.array(fc.stringMatching(/^[a-z]{1,3}$/), { maxLength: 4 }),
});
type Rec = typeof record extends fc.Arbitrary<infer T> ? T : never;

const plain = (r: Rec) => ({
  method: r.method,
  url: plainUrl(r.url),
  strictUrl: plainUrl(r.strictUrl),
  file: r.file.join('/'),
  headers: r.headers,
  labels: r.labels,
  limit: r.limit,
  id: r.id,
  tags: r.tags,
});
/** A meaning-preserving rewrite of every declared field, keys in another order. */
const variant = (r: Rec) => ({
  tags: r.tags,
  id: r.id,
  limit: String(r.limit),
  labels: [...r.labels].reverse(),
  headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toUpperCase(), ` ${v.trim()} `])),
  file: variantPath(r.file),
  strictUrl: variantUrl(r.strictUrl, false),
  url: variantUrl(r.url, true),
  method: r.method.toUpperCase(),
});

describe('canonicalisation properties', () => {
  it('equivalent forms meet: every declared kind, keys in any order', () => {
    run(fc.property(record, (r) => keyOf(plain(r)) === keyOf(variant(r))));
  });

  it('is idempotent: an input rewritten in canonical form keys the same', () => {
    run(
      fc.property(record, (r) => {
        const p = plain(r);
        const canon = {
          ...p,
          url: canonicalUrl(p.url, true)!,
          strictUrl: canonicalUrl(p.strictUrl)!,
          file: canonicalPath(p.file),
          method: p.method.toLowerCase(),
          id: unicodeForm(p.id),
        };
        return keyOf(p) === keyOf(canon) && keyOf(canon) === keyOf(JSON.parse(JSON.stringify(canon)));
      }),
    );
  });

  it('ignores order only where declared: undeclared arrays and strict-url queries keep it', () => {
    run(
      fc.property(record, (r) => {
        fc.pre(new Set(r.tags).size > 1);
        return keyOf(plain(r)) !== keyOf({ ...plain(r), tags: [...r.tags].reverse() }) || r.tags.join() === [...r.tags].reverse().join();
      }),
    );
    run(
      fc.property(record, (r) => {
        fc.pre(r.strictUrl.query.length > 1);
        return keyOf(plain(r)) !== keyOf({ ...plain(r), strictUrl: variantUrl(r.strictUrl, true) });
      }),
    );
  });

  it('inputs that differ in an exact field never share a key', () => {
    run(
      fc.property(record, fc.string({ maxLength: 8 }), (r, other) => {
        fc.pre(unicodeForm(other) !== unicodeForm(r.id));
        return keyOf(plain(r)) !== keyOf({ ...plain(r), id: other });
      }),
    );
    run(
      fc.property(record, fc.jsonValue(), fc.jsonValue(), (r, a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        // Same JSON after NFKC on strings and key order is the same value; anything else differs.
        const k1 = keyOf({ ...plain(r), extra: a });
        const k2 = keyOf({ ...plain(r), extra: b });
        return k1 !== k2 || canonicalise('t', '1', { extra: a }, policy).json === canonicalise('t', '1', { extra: b }, policy).json;
      }),
    );
  });

  it('url and path: normalising twice equals once', () => {
    run(
      fc.property(urlParts, fc.boolean(), fc.boolean(), (u, shuffle, unordered) => {
        const once = canonicalUrl(variantUrl(u, shuffle), unordered)!;
        return canonicalUrl(once, unordered) === once && (shuffle && !unordered ? true : once === canonicalUrl(plainUrl(u), unordered));
      }),
    );
    run(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (raw) => {
        const once = canonicalUrl(raw);
        return once === undefined || canonicalUrl(once) === once;
      }),
    );
    run(
      fc.property(filePath, fc.string({ maxLength: 20 }), (p, raw) => {
        const once = canonicalPath(raw);
        return canonicalPath(once) === once && canonicalPath(variantPath(p)) === canonicalPath(p.join('/'));
      }),
    );
  });
});
