import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, loadPipelineFile, pipeline, ref, validatePipeline, WeftError, type PipelineDefinition } from '@weft/engine';
import { rejection } from './helpers.js';

async function issuesOf(raw: unknown, taskTypes?: string[]): Promise<string[]> {
  const err = await validatePipeline(raw, taskTypes ? { taskTypes } : {}).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WeftError);
  expect((err as WeftError).code).toBe('WEFT_PIPELINE_INVALID');
  return (err as WeftError).details['issues'] as string[];
}

const lintPipeline = (dependsOn: string[]): unknown => ({
  name: 'ci',
  steps: [
    { id: 'checkout', task: 'git.clone' },
    { id: 'lint', task: 'lint', dependsOn: ['checkout'] },
    { id: 'test', task: 'test', dependsOn },
  ],
});

describe('pipeline validation', () => {
  it('names an unknown dependency with its path and a suggestion', async () => {
    expect(await issuesOf(lintPipeline(['lnt']))).toEqual(['steps[2].dependsOn: unknown step "lnt" (did you mean "lint"?)']);
  });

  it('rejects cycles before anything runs', async () => {
    const raw = {
      name: 'loop',
      steps: [
        { id: 'a', task: 't', dependsOn: ['c'] },
        { id: 'b', task: 't', dependsOn: ['a'] },
        { id: 'c', task: 't', dependsOn: ['b'] },
      ],
    };
    expect(await issuesOf(raw)).toEqual(['steps: dependsOn forms a cycle a → b → c → a; remove one of these edges']);
  });

  it('rejects a step that depends on itself and duplicate ids', async () => {
    const raw = {
      name: 'p',
      steps: [
        { id: 'a', task: 't', dependsOn: ['a'] },
        { id: 'a', task: 't' },
      ],
    };
    expect(await issuesOf(raw)).toEqual([
      'steps[1].id: duplicate step id "a" (also steps[0]); give each step its own id',
      'steps[0].dependsOn[0]: step "a" depends on itself',
    ]);
  });

  it('rejects unknown task types when handlers are known', async () => {
    expect(await issuesOf({ name: 'p', steps: [{ id: 'a', task: 'lint.rn' }] }, ['lint.run', 'test.run'])).toEqual([
      'steps[0].task: no handler for task type "lint.rn" (did you mean "lint.run"?); load the plugin that provides it',
    ]);
  });

  it('rejects dangling references and references to steps not depended on', async () => {
    const raw = {
      name: 'p',
      steps: [
        { id: 'scan', task: 't' },
        { id: 'other', task: 't' },
        { id: 'use', task: 't', dependsOn: ['scan'], input: { files: { $ref: 'steps.scna.output.files' }, x: { $ref: 'steps.other.output' } } },
      ],
      output: { $ref: 'steps.nope.output' },
    };
    expect(await issuesOf(raw)).toEqual([
      'steps[2].input.files: $ref "steps.scna.output.files" names unknown step "scna" (did you mean "scan"?)',
      'steps[2].input.x: $ref "steps.other.output" reads step "other", which "use" does not depend on; add "other" to its dependsOn',
      'output: $ref "steps.nope.output" names unknown step "nope"',
    ]);
  });

  it('rejects item references outside forEach and malformed ref paths', async () => {
    const raw = {
      name: 'p',
      steps: [
        { id: 'a', task: 't', input: { $ref: 'item.name' } },
        { id: 'b', task: 't', input: { $ref: 'process.env.HOME' } },
      ],
    };
    const issues = await issuesOf(raw);
    // Every problem at once: the malformed path does not hide the other step's.
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(/^steps\[1\]\.input/);
    expect(issues[1]).toBe('steps[0].input: $ref "item.name" is only defined inside a step with forEach');
  });

  it('rejects misspelt keys instead of ignoring them', async () => {
    expect(await issuesOf({ name: 'p', steps: [{ id: 'a', task: 't', dependson: ['x'] }] })).toEqual([
      'steps[0]: Unrecognized key: "dependson" (did you mean "dependsOn"?)',
    ]);
  });

  it('accepts the builder output and gives the same definition as a file', async () => {
    const built = pipeline('ok')
      .step('a', 'fetch', { input: { url: ref('input.url') }, retries: { attempts: 2, backoff: { delayMs: 10 } } })
      .step('b', 'parse', { dependsOn: ['a'], input: ref('steps.a.output'), when: { ref: 'steps.a.output.status', eq: 200 } })
      .build();
    await expect(validatePipeline(built)).resolves.toEqual(built);
  });

  it('reads YAML files as data only: tags that construct objects are refused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'weft-yaml-'));
    const file = path.join(dir, 'evil.yaml');
    writeFileSync(file, 'name: evil\nsteps:\n  - id: a\n    task: !!js/function "function(){ return process.exit(1) }"\n');
    const err = await rejection(loadPipelineFile(file));
    expect(err.code).toBe('WEFT_PIPELINE_FILE_UNREADABLE');
    expect(err.message).toBe(`Pipeline file ${file} is not valid YAML: YAML tags are not allowed (data only) at line 4, column 11`);
  });

  it('reports an unreadable file and invalid YAML with the file name', async () => {
    const missing = await loadPipelineFile('/nonexistent/p.yaml').catch((e: unknown) => e as WeftError);
    expect(missing.code).toBe('WEFT_PIPELINE_FILE_UNREADABLE');
    const dir = mkdtempSync(path.join(tmpdir(), 'weft-yaml-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'name: [unclosed\n');
    const bad = await loadPipelineFile(file).catch((e: unknown) => e as WeftError);
    expect(bad.code).toBe('WEFT_PIPELINE_FILE_UNREADABLE');
    expect(bad.message).toContain(`Pipeline file ${file} is not valid YAML`);
  });

  it('an engine refuses to run an invalid pipeline and runs none of its steps', async () => {
    const engine = await createEngine();
    let ran = 0;
    engine.registerHandler('t', () => ran++);
    const bad: PipelineDefinition = {
      name: 'p',
      steps: [
        { id: 'a', task: 't' },
        { id: 'b', task: 'missing' },
      ],
    };
    await expect(engine.run(bad)).rejects.toMatchObject({ code: 'WEFT_PIPELINE_INVALID' });
    expect(ran).toBe(0);
    await engine.close();
  });

  it('validates a definition again when it changed since its last run', async () => {
    const engine = await createEngine();
    engine.registerHandler('t', () => 1);
    const p: PipelineDefinition = { name: 'p', steps: [{ id: 'a', task: 't' }] };
    await expect(engine.run(p)).resolves.toMatchObject({ status: 'succeeded' });
    (p.steps[0] as { task: string }).task = 'missing';
    await expect(engine.run(p)).rejects.toMatchObject({ code: 'WEFT_PIPELINE_INVALID' });
    (p.steps[0] as { task: string }).task = 't';
    await expect(engine.run(p)).resolves.toMatchObject({ status: 'succeeded' });
    await engine.close();
  });
});
