/**
 * Pipeline files that used to crash or exhaust `weft validate`: each ends in a typed WEFT_* error
 * (exit 2 from the CLI) or succeeds, never a RangeError with a stack trace, within bounded time.
 * Timing targets (100,000 steps in 2 s) live in `pnpm bench:validate`; these check outcomes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, loadPipelineFile, validatePipeline } from '@weft/engine';
import { rejection } from './helpers.js';
import { pluginPath, root, runWeft } from './fleet/fleet-harness.js';

const dir = mkdtempSync(path.join(tmpdir(), 'weft-limits-'));
let n = 0;
function file(ext: 'yaml' | 'json', text: string): string {
  const f = path.join(dir, `p${n++}.${ext}`);
  writeFileSync(f, text);
  return f;
}

async function issues(raw: unknown, options: Parameters<typeof validatePipeline>[1] = {}): Promise<string[]> {
  const err = await rejection(validatePipeline(raw, options));
  expect(err.code).toBe('WEFT_PIPELINE_INVALID');
  return err.details['issues'] as string[];
}

const nest = (depth: number, leaf: unknown, wrap: (inner: unknown, i: number) => unknown): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = wrap(v, i);
  return v;
};
const chain = (length: number, extra: (i: number) => object = () => ({})): object => ({
  name: 'chain',
  steps: Array.from({ length }, (_, i) => ({ id: `s${i}`, task: 'noop', ...(i > 0 ? { dependsOn: [`s${i - 1}`] } : {}), ...extra(i) })),
});

describe('pipeline files that used to crash the validator', () => {
  it('refuses a self-referential YAML alias with a typed error, from the CLI too (exit 2, no stack)', async () => {
    const f = file('yaml', 'name: x\nsteps:\n  - &a {id: a, task: t, input: {self: *a}}\n');
    const err = await rejection(loadPipelineFile(f));
    expect(err.code).toBe('WEFT_PIPELINE_FILE_UNREADABLE');
    expect(err.message).toContain('[0].input.self contains itself');
    const res = await runWeft(['validate', f, '--plugins', pluginPath]);
    expect(res.code).toBe(2);
    expect(res.stderr).not.toMatch(/RangeError|\n\s+at /);
  }, 60_000);

  it('refuses input JSON nested 10,000 deep, naming the path and the limit; the limit is configurable', async () => {
    // Written as text: JSON.stringify itself overflows on such a value.
    const f = file('json', `{"name":"d","steps":[{"id":"a","task":"t","input":${'{"a":['.repeat(5_000)}1${']}'.repeat(5_000)}}]}`);
    const err = await rejection(loadPipelineFile(f));
    expect(err.code).toBe('WEFT_PIPELINE_INVALID');
    expect(err.message).toMatch(/steps\[0\]\.input(\.a\[0\])+.* is nested deeper than 100 levels \(limit maxDepth\)/);
    const fifty = { name: 'd', steps: [{ id: 'a', task: 't', input: nest(50, 1, (v) => ({ a: v })) }] };
    await expect(validatePipeline(fifty)).resolves.toBeTruthy();
    expect((await issues(fifty, { limits: { maxDepth: 20 } }))[0]).toMatch(/nested deeper than 20 levels/);
    // The engine takes the limit from its config.
    const engine = await createEngine({ config: { limits: { maxDepth: 20 } } });
    engine.registerHandler('t', () => 1);
    expect((await rejection(engine.validate(fifty))).message).toMatch(/deeper than 20 levels/);
    await engine.close();
  });

  it('refuses `when: {not: …}` nested 10,000 deep, and a definition that contains itself', async () => {
    const when = nest(10_000, { ref: 'input.x', exists: true }, (v) => ({ not: v }));
    expect((await issues({ name: 'w', steps: [{ id: 'a', task: 't', when }] }))[0]).toMatch(/^steps\[0\]\.when(\.not)+: is nested deeper/);
    const self: Record<string, unknown> = { id: 'a', task: 't' };
    self['input'] = { again: self };
    const engine = await createEngine();
    engine.registerHandler('t', () => 1);
    const err = await rejection(engine.run({ name: 's', steps: [self as never] }));
    expect(err.message).toContain('steps[0].input.again: contains itself');
    await engine.close();
  });

  it('reports a 20,000-step dependency cycle by its ends', async () => {
    const steps = Array.from({ length: 20_000 }, (_, i) => ({ id: `s${i}`, task: 't', dependsOn: [`s${(i + 19_999) % 20_000}`] }));
    const [line] = await issues({ name: 'c', steps });
    expect(line).toBe(
      'steps: dependsOn forms a cycle s0 → s1 → s2 → s3 → s4 → s5 → s6 → s7 → … (19990 more) … → s19998 → s19999 → s0; remove one of these edges',
    );
  });

  it('validates a 20,000-step linear chain whose steps each read their predecessor and the first step', async () => {
    const p = chain(20_000, (i) => (i > 0 ? { input: { prev: { $ref: `steps.s${i - 1}.output` }, first: { $ref: 'steps.s0.output' } } } : {}));
    await expect(validatePipeline(p, { taskTypes: ['noop'] })).resolves.toBe(p);
    // A reference to a step that is not an ancestor is still found in a long chain.
    const bad = chain(5_000, (i) => (i === 10 ? { input: { $ref: 'steps.s4000.output' } } : {}));
    expect(await issues(bad)).toEqual([
      'steps[10].input: $ref "steps.s4000.output" reads step "s4000", which "s10" does not depend on; add "s4000" to its dependsOn',
    ]);
  });

  it('runs a 2,000-step chain of no-op tasks embedded', async () => {
    const engine = await createEngine();
    engine.registerHandler('noop', () => null);
    const res = await engine.run(chain(2_000) as never);
    expect(res.status).toBe('succeeded');
    expect(Object.keys(res.steps)).toHaveLength(2_000);
    await engine.close();
  });
});

describe('accepted by validation, failing only at run time: refused now', () => {
  it('refuses timeoutMs of 2^31 ms or more, in a step and in a handler', async () => {
    expect(await issues({ name: 't', steps: [{ id: 'a', task: 't', timeoutMs: 2 ** 31 }] })).toEqual([
      'steps[0].timeoutMs: must be at most 2147483647 ms (about 24.8 days): Node cannot wait longer on one timer',
    ]);
    await expect(validatePipeline({ name: 't', steps: [{ id: 'a', task: 't', timeoutMs: 2 ** 31 - 1 }] })).resolves.toBeTruthy();
    const engine = await createEngine();
    expect(() => engine.registerHandler('slow', () => 1, { timeoutMs: 2 ** 31 })).toThrow(expect.objectContaining({ code: 'WEFT_CONFIG_INVALID' }));
    await engine.close();
  });

  it('refuses a literal forEach that is not an array', async () => {
    for (const forEach of [5, 'abc', { a: 1 }, null]) {
      expect((await issues({ name: 'f', steps: [{ id: 'a', task: 't', forEach, input: { $ref: 'item' } }] }))[0]).toMatch(
        /^steps\[0\]\.forEach: must be an array, or a \{ \$ref \}/,
      );
    }
    await expect(validatePipeline({ name: 'f', steps: [{ id: 'a', task: 't', forEach: [1, 2], input: { $ref: 'item' } }] })).resolves.toBeTruthy();
  });

  it('refuses a $ref into __proto__, constructor or prototype, and such step ids and keys', async () => {
    for (const ref of ['input.__proto__', 'input.constructor', 'input.a.prototype', 'steps.a.output.constructor.name']) {
      const found = await issues({
        name: 'r',
        steps: [
          { id: 'a', task: 't' },
          { id: 'b', task: 't', dependsOn: ['a'], input: { v: { $ref: ref } } },
        ],
      });
      expect(found.join('\n')).toContain('must not name __proto__, constructor or prototype');
    }
    expect((await issues({ name: 'r', steps: [{ id: 'constructor', task: 't' }] })).join('\n')).toContain('steps[0].id: must not be __proto__');
    const proto = JSON.parse('{"name":"r","steps":[{"id":"a","task":"t","input":{"__proto__":{"x":1}}}]}') as unknown;
    expect(await issues(proto)).toEqual([
      'steps[0].input: has the key "__proto__", which is not allowed (it would replace the object\'s prototype); rename it',
    ]);
  });

  it('refuses every explicit YAML tag, core ones and verbatim ones included', async () => {
    for (const tagged of ['!!str 12', '!!int "12"', '!!map {x: 1}', '!!seq [1]', '!!pairs [{x: 1}]', '!<tag:yaml.org,2002:str> v', '!custom v']) {
      const err = await rejection(loadPipelineFile(file('yaml', `name: t\nsteps:\n  - id: a\n    task: t\n    input: ${tagged}\n`)));
      expect(err.code, tagged).toBe('WEFT_PIPELINE_FILE_UNREADABLE');
      expect(err.message, tagged).toMatch(/YAML tags are not allowed \(data only\)/);
    }
    // Anchors and aliases without a cycle are plain data.
    const ok = await loadPipelineFile(file('yaml', 'name: t\nsteps:\n  - id: a\n    task: t\n    input: &v {x: 1}\n  - id: b\n    task: t\n    input: *v\n'));
    expect(ok.steps[1]!.input).toEqual({ x: 1 });
  });
});

describe('weft validate gaps', () => {
  it('fails a misspelt strategy name at validation, with a suggestion, in the pipeline and in the config', async () => {
    const engine = await createEngine();
    engine.registerHandler('t', () => 1);
    expect(
      (await rejection(engine.validate({ name: 's', strategy: 'defualt', steps: [{ id: 'a', task: 't', strategy: 'defaultt' }] }))).details['issues'],
    ).toEqual(['steps[0].strategy: unknown strategy "defaultt" (did you mean "default"?)', 'strategy: unknown strategy "defualt" (did you mean "default"?)']);
    await engine.close();
    const configured = await createEngine({ config: { routing: { strategy: 'defualt' } } });
    configured.registerHandler('t', () => 1);
    expect((await rejection(configured.validate({ name: 's', steps: [{ id: 'a', task: 't' }] }))).message).toContain(
      'routing.strategy: unknown strategy "defualt" (did you mean "default"?)',
    );
    await configured.close();
  });

  it('suggests the key meant for a misspelt one, at every level', async () => {
    const found = await issues({ name: 'k', stpes: 1, steps: [{ id: 'a', task: 't', retries: { atempts: 1 }, when: { rf: 'input.x', exists: true } }] });
    expect(found).toContain('(root): Unrecognized key: "stpes" (did you mean "steps"?)');
    expect(found).toContain('steps[0].retries: Unrecognized key: "atempts" (did you mean "attempts"?)');
    expect(found).toContain('steps[0].when: Unrecognized key: "rf" (did you mean "ref"?)');
  });

  it('suggests an installed plugin for a misspelt plugin name', async () => {
    const baseDir = path.join(root, 'examples/code-check');
    const err = await rejection(createEngine({ config: { plugins: ['@weft/plugin-balancr'] }, baseDir }));
    expect(err.code).toBe('WEFT_PLUGIN_NOT_FOUND');
    expect(err.message).toContain('(did you mean "@weft/plugin-balancer"?)');
  });

  it('reports every problem of a file, not only the schema error', async () => {
    const found = await issues(
      {
        name: 'all',
        steps: [
          { id: 'a', task: 'nope', retries: -1 },
          { id: 'b', task: 't', dependsOn: ['c'] },
          { id: 'a', task: 't', input: { $ref: 'steps.zz.output' } },
        ],
      },
      { taskTypes: ['t'] },
    );
    expect(found).toEqual([
      'steps[0].retries: Too small: expected number to be >=0',
      'steps[2].id: duplicate step id "a" (also steps[0]); give each step its own id',
      'steps[0].task: no handler for task type "nope"; load the plugin that provides it',
      'steps[1].dependsOn: unknown step "c"',
      'steps[2].input: $ref "steps.zz.output" names unknown step "zz"',
    ]);
  });
});

describe('CLI input errors', () => {
  it('gives invalid --input JSON its own code', async () => {
    const p = file('yaml', 'name: t\nsteps:\n  - id: a\n    task: t.add\n    input: {a: 1, b: 2}\n');
    const res = await runWeft(['run', p, '--plugins', pluginPath, '--input', '{bad', '--no-progress']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^WEFT_RUN_INPUT_INVALID: --input is not valid JSON/);
    const deep = await runWeft(['run', p, '--plugins', pluginPath, '--input', `${'['.repeat(10_000)}${']'.repeat(10_000)}`, '--no-progress']);
    expect(deep.code).toBe(2);
    expect(deep.stderr).toMatch(/^WEFT_RUN_INPUT_INVALID: --input: input(\[0\])+ is nested deeper than 100 levels/);
  }, 60_000);

  it('says that no config was found, and where it looked, instead of one "no handler" line per step', async () => {
    // The repository's root holds no weft.config.*: the CLI runs there.
    const empty = root;
    const p = file('yaml', 'name: t\nsteps:\n  - id: a\n    task: docs.list\n  - id: b\n    task: docs.fetch\n');
    const res = await runWeft(['validate', p], {}, empty);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`WEFT_CONFIG_NOT_FOUND: No engine config was found (looked for ${path.join(empty, 'weft.config.yaml')}, `);
    expect(res.stderr).not.toContain('no handler');
  }, 60_000);
});
