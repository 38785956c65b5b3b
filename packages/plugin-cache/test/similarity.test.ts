import { describe, expect, it } from 'vitest';
import { SemanticCache } from '@weft/plugin-cache';
import { sameWords } from '@weft/plugin-cache/canonical';
import { task } from './helpers.js';

const cache = (types: ConstructorParameters<typeof SemanticCache>[0] extends infer O ? (O extends { policies?: infer P } ? P : never) : never = {}) =>
  new SemanticCache({ policies: types });

describe('near hits', () => {
  it('answers a reworded task with the earlier result and reports its similarity', async () => {
    const c = cache({ types: { 'llm.summarise': {} } });
    await c.store(task('llm.summarise', { repo: 'weft', text: 'Summarise the changes to the login handler before the release' }), 'summary-1');
    const hit = await c.lookup(task('llm.summarise', { text: 'before the release, please summarise the changes to the LOGIN handler', repo: 'weft' }));
    expect(hit?.output).toBe('summary-1');
    expect(hit?.tier).toBe('memory');
    expect(hit?.similarity).toBeGreaterThan(0.75);
    expect(hit?.similarity).toBeLessThan(1);
    expect(c.stats()).toMatchObject({ nearHits: 1, exactHits: 0, hits: 1 });
  });

  it('never answers a task whose undeclared (exact) field differs', async () => {
    const c = cache({ types: { 'llm.summarise': {} } });
    await c.store(task('llm.summarise', { repo: 'a', text: 'summarise the login handler' }), 'A');
    expect(await c.lookup(task('llm.summarise', { repo: 'b', text: 'summarise the login handler' }))).toBeUndefined();
    expect(await c.lookup(task('llm.summarise', { repo: 'a', text: 'summarise the login handler please' }))).toMatchObject({ output: 'A' });
  });

  it('does not answer below the type threshold, and threshold 1 allows exact hits only', async () => {
    const strict = cache({ types: { q: { threshold: 1 } } });
    await strict.store(task('q', { text: 'fix the login handler' }), 'x');
    expect(await strict.lookup(task('q', { text: 'fix the login handler please' }))).toBeUndefined();
    expect(await strict.lookup(task('q', { text: 'fix  the login handler' }))).toMatchObject({ output: 'x', similarity: 1 });

    const loose = cache({ types: { q: { threshold: 0.99, verify: 'none' } } });
    await loose.store(task('q', { text: 'fix the login handler in the api layer' }), 'y');
    expect(await loose.lookup(task('q', { text: 'fix the logni handler in the api layer' }))).toBeUndefined();
  });

  it('refuses meaning-changing edits that look similar and counts them', async () => {
    const c = cache();
    await c.store(task('q', { text: 'convert the json config to yaml before the release' }), 'json→yaml');
    await c.store(task('q', { text: 'enable the retry logic for the mobile client' }), 'enable');
    expect(await c.lookup(task('q', { text: 'convert the yaml config to json before the release' }))).toBeUndefined();
    expect(await c.lookup(task('q', { text: 'disable the retry logic for the mobile client' }))).toBeUndefined();
    expect(await c.lookup(task('q', { text: 'enable the retry logic for the desktop client' }))).toBeUndefined();
    expect(await c.lookup(task('q', { text: 'enable the retry logic for the mobile client and the web client' }))).toBeUndefined();
    expect(c.stats().nearRejected).toBeGreaterThan(0);
    expect(c.stats().hits).toBe(0);
  });

  it('keeps quoted strings, named entities and numbers in any script exact', async () => {
    const c = cache();
    await c.store(task('q', { text: 'Translate the greeting "Good Morning" into French for the Lisbon office' }), 'fr');
    expect(await c.lookup(task('q', { text: 'translate the greeting "good morning" into French for the Lisbon office' }))).toBeUndefined();
    expect(await c.lookup(task('q', { text: 'Translate the greeting "Good Morning" into German for the Lisbon office' }))).toBeUndefined();
    expect(await c.lookup(task('q', { text: 'please translate the greeting "Good Morning" into FRENCH for the Lisbon office' }))).toMatchObject({
      output: 'fr',
    });
    await c.store(task('q', { text: 'compare the Paris office budget with the London office budget' }), 'paris-first');
    expect(await c.lookup(task('q', { text: 'compare the London office budget with the Paris office budget' }))).toBeUndefined();
    await c.store(task('q', { text: 'list the last 100 failed deployments' }), 'hundred');
    expect(await c.lookup(task('q', { text: 'list the last １００ failed deployments' }))).toMatchObject({ output: 'hundred' });
    expect(await c.lookup(task('q', { text: 'list the last ١٠٠ failed deployments' }))).toMatchObject({ output: 'hundred' });
    expect(await c.lookup(task('q', { text: 'list the last １０００ failed deployments' }))).toBeUndefined();
    expect(await c.lookup(task('q', { text: 'list the last ١٠٠٠ failed deployments' }))).toBeUndefined();
  });

  it('keeps numbers, identifiers and negations exact', async () => {
    const c = cache();
    await c.store(task('q', { text: 'summarise the last 10 commits of parseUser' }), 'ten');
    expect(await c.lookup(task('q', { text: 'summarise the last 11 commits of parseUser' }))).toBeUndefined();
    expect(await c.lookup(task('q', { text: 'summarise the last 10 commits of parseOrder' }))).toBeUndefined();
    expect(await c.lookup(task('q', { text: 'do not summarise the last 10 commits of parseUser' }))).toBeUndefined();
    expect(await c.lookup(task('q', { text: "don't summarise the last 10 commits of parseUser" }))).toBeUndefined();
    expect(await c.lookup(task('q', { text: 'Summarise the last 10 commits of parseUser, please' }))).toMatchObject({ output: 'ten' });
  });

  it('treats configured synonyms as the same word', async () => {
    const c = cache({ defaults: { synonyms: { fix: ['repair'] } } });
    await c.store(task('q', { text: 'fix the upload parser' }), 'fixed');
    expect(await c.lookup(task('q', { text: 'repair the upload parser' }))).toMatchObject({ output: 'fixed' });
    expect(await cache().lookup(task('q', { text: 'repair the upload parser' }))).toBeUndefined();
  });

  it('keeps a handler version apart from the next one', async () => {
    const c = cache();
    await c.store(task('q', { text: 'fix the upload parser' }, { handlerVersion: '1' }), 'v1');
    expect(await c.lookup(task('q', { text: 'fix the upload parser' }, { handlerVersion: '2' }))).toBeUndefined();
  });
});

describe('lexical check', () => {
  it('passes reordered clauses, inflections, filler and typos', () => {
    expect(sameWords('fix the login handler and update the payment client', 'update the payment client and fix the login handler')).toBe(true);
    expect(sameWords('fixing the login handler', 'fix the login handler')).toBe(true);
    expect(sameWords('could you please fix the login handler', 'fix the login handler')).toBe(true);
    expect(sameWords('fix the lgoin handler on the satging cluster', 'fix the login handler on the staging cluster')).toBe(true);
  });

  it('fails swapped roles, replaced, dropped and repeated words', () => {
    expect(sameWords('fix the payment handler and update the login client', 'fix the login handler and update the payment client')).toBe(false);
    expect(sameWords('fix the login handler', 'fix the logout handler')).toBe(false);
    expect(sameWords('fix the login handler', 'fix the login handler in the api layer')).toBe(false);
    expect(sameWords('fix a on staging and b', 'fix a on staging and b on staging')).toBe(false);
  });
});
