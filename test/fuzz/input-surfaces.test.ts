/**
 * Fuzzing the input surfaces a user or an attacker controls: pipeline files (JSON and YAML,
 * mutated from a valid one), plugin configurations and `--input`. The property everywhere: a typed
 * WEFT_* error or success, never a crash or a raw stack, within a time and a memory bound. Runs
 * are seeded, so a failure replays (fast-check prints the seed and the path). Job payloads are
 * fuzzed against a real worker in packages/engine/test/fleet/job-payload-hardening.test.ts.
 */
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { createEngine, isWeftError, type PluginSpec } from '@weft/engine';
import balancer from '@weft/plugin-balancer';
import cache from '@weft/plugin-cache';
import ml from '@weft/plugin-ml';
import { parsePipelineText } from '../../packages/engine/src/pipeline/load-pipeline-file.js';
import { parseInputOption } from '../../packages/engine/src/cli/input.js';

// The engine's own YAML library (the root has none of its own).
const yaml = createRequire(new URL('../../packages/engine/package.json', import.meta.url))('yaml') as {
  parse(text: string): unknown;
  stringify(value: unknown, options?: { aliasDuplicateObjects?: boolean }): string;
};

const SEED = 20261203;
/** Per case: generous bounds that a crash-free but runaway input (a billion-laughs alias, a deep nest) would still cross. */
const MAX_MS = 3_000;
const MAX_HEAP_GROWTH = 256 * 1024 * 1024;

const demo = readFileSync(new URL('../../examples/demo/pipeline.yaml', import.meta.url), 'utf8');
const valid = yaml.parse(demo) as Record<string, unknown>;
const dir = mkdtempSync(path.join(tmpdir(), 'weft-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs one case: success, or a WeftError with a WEFT_ code and a message without a stack trace. */
async function typedOrOk(what: string, fn: () => Promise<unknown>): Promise<void> {
  const heap = process.memoryUsage().heapUsed;
  const started = performance.now();
  try {
    await fn();
  } catch (err) {
    if (!isWeftError(err)) throw new Error(`${what}: not a typed error: ${String(err)}`);
    expect(err.code, what).toMatch(/^WEFT_[A-Z_]+$/);
    expect(err.message, what).not.toMatch(/\n\s+at /);
  }
  expect(performance.now() - started, `${what}: time`).toBeLessThan(MAX_MS);
  expect(process.memoryUsage().heapUsed - heap, `${what}: heap growth`).toBeLessThan(MAX_HEAP_GROWTH);
}

/** Values a mutation puts somewhere: JSON-ish data, hostile keys and refs, odd numbers. */
const hostile = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', '', '*', '../../etc/passwd', '\u0000', 'x'.repeat(5000)),
  fc.constantFrom({ $ref: 'steps.__proto__.output' }, { $ref: 'input.constructor.prototype' }, { $ref: 'item' }, { $ref: 42 }, { not: { not: { not: {} } } }),
  fc.constantFrom(2 ** 31, 2 ** 53, -1, 0, Number.MAX_VALUE, 1e-300),
);

/** A mutation of a document: set, delete or replace one value at a random path. */
type Mutation = { path: number[]; op: 'set' | 'delete' | 'wrap'; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat({ max: 20 }), { minLength: 1, maxLength: 5 }),
  op: fc.constantFrom('set', 'delete', 'wrap'),
  value: hostile,
});

function mutate(doc: unknown, mutations: readonly Mutation[]): unknown {
  const root = structuredClone(doc) as Record<string, unknown>;
  for (const m of mutations) {
    let at: unknown = root;
    for (let i = 0; i < m.path.length - 1; i++) {
      if (typeof at !== 'object' || at === null) break;
      const keys = Object.keys(at);
      if (keys.length === 0) break;
      at = (at as Record<string, unknown>)[keys[m.path[i]! % keys.length]!];
    }
    if (typeof at !== 'object' || at === null) continue;
    const keys = Object.keys(at);
    const key = keys.length === 0 ? 'k' : keys[m.path[m.path.length - 1]! % keys.length]!;
    const target = at as Record<string, unknown>;
    if (m.op === 'delete') delete target[key];
    else if (m.op === 'wrap') target[key] = [target[key], m.value];
    else target[key] = m.value;
  }
  return root;
}

describe('fuzzing input surfaces (seeded)', () => {
  it('pipeline files, JSON and YAML, mutated from the demo: typed error or success', async () => {
    const engine = await createEngine();
    engine.registerHandler('docs.list', () => []);
    engine.registerHandler('docs.fetch', () => '');
    engine.registerHandler('text.stats', () => ({}));
    engine.registerHandler('text.summary', () => '');
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), async (mutations, asJson) => {
        const doc = mutate(valid, mutations);
        const file = path.join(dir, asJson ? 'p.json' : 'p.yaml');
        const text = asJson ? JSON.stringify(doc) : yaml.stringify(doc, { aliasDuplicateObjects: false });
        writeFileSync(file, text);
        await typedOrOk(`pipeline ${file}`, () => engine.run(file, {}));
      }),
      { seed: SEED, numRuns: 150 },
    );
    await engine.close();
  });

  it('pipeline text that is not a document at all (raw bytes, truncations, tags, aliases): typed error or data', async () => {
    const texts = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.nat({ max: demo.length }).map((n) => demo.slice(0, n)),
      fc.constantFrom(
        '- &a {id: a, task: t, input: {self: *a}}',
        '!!js/function "x"',
        'a: !<tag:yaml.org,2002:str> x',
        '['.repeat(10_000),
        '{"a":'.repeat(5_000),
      ),
    );
    await fc.assert(
      fc.asyncProperty(texts, fc.boolean(), async (text, asJson) => {
        await typedOrOk('pipeline text', () => Promise.resolve(parsePipelineText(text, asJson ? 'p.json' : 'p.yaml')));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('--input, inline and from files: typed error or a value', async () => {
    const inline = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.constantFrom('['.repeat(20_000), '{', '@', '@/nonexistent/x.json'),
    );
    await fc.assert(
      fc.asyncProperty(inline, fc.constantFrom('inline', 'json', 'yaml'), async (value, where) => {
        let arg = value;
        if (where !== 'inline') {
          const file = path.join(dir, `input.${where}`);
          writeFileSync(file, value);
          arg = `@${file}`;
        }
        await typedOrOk(`--input ${where}`, () => parseInputOption(arg));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('plugin configurations of every bundled plugin: typed error or a loaded engine', async () => {
    const plugins = [balancer, cache, ml] as PluginSpec[];
    const configs = fc.oneof(
      hostile,
      fc.dictionary(
        fc.constantFrom('strategy', 'types', 'defaults', 'store', 'threshold', 'ttlMs', 'minSamples', 'explorationRate', 'breaker', 'bulkhead', '__proto__'),
        hostile,
        { maxKeys: 4 },
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: plugins.length - 1 }), configs, async (which, config) => {
        await typedOrOk(`plugin #${which} config ${JSON.stringify(config)?.slice(0, 200)}`, async () => {
          const engine = await createEngine({ plugins: [{ plugin: plugins[which]!, config }] });
          await engine.close();
        });
      }),
      { seed: SEED, numRuns: 90 },
    );
  });
});
