/** The `weft` binary on the sample pipeline, as a user runs it (needs `pnpm build` first, as CI does). */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = path.join(root, 'packages/engine/bin/weft.js');
const demo = path.join(root, 'examples/demo');

async function weft(args: string[], cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd, env: { ...process.env, WEFT_LOG_LEVEL: 'error' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('weft CLI', () => {
  it('runs the sample pipeline with its config and prints the result as JSON', async () => {
    const res = await weft(['run', path.join(demo, 'pipeline.yaml'), '--config', path.join(demo, 'weft.config.yaml'), '--json']);
    expect(res.code).toBe(0);
    const result = JSON.parse(res.stdout) as {
      status: string;
      output: { summary: { documents: number; words: number } };
      steps: Record<string, { status: string; attempts: number }>;
    };
    expect(result.status).toBe('succeeded');
    expect(result.output.summary).toMatchObject({ documents: 3, words: 49 });
    // One fetch fails once and is retried: 3 items + 1 retry.
    expect(result.steps['fetch']).toMatchObject({ status: 'succeeded', attempts: 4 });
  });

  it('prints a readable summary and per-step progress without --json', async () => {
    const res = await weft(['run', path.join(demo, 'pipeline.yaml'), '--config', path.join(demo, 'weft.config.yaml')]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Run [0-9a-f-]{36} of "docs-report": succeeded/);
    expect(res.stdout).toContain('fetch            succeeded · 3 items · 1 retry');
    expect(res.stderr).toContain('retrying  fetch: Task "fetch" (docs.fetch) failed');
  });

  it('takes input from a file and reports an invalid pipeline with its path and exit code 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'weft-cli-'));
    writeFileSync(path.join(dir, 'bad.yaml'), 'name: bad\nsteps:\n  - id: list\n    task: docs.list\n  - id: b\n    task: docs.list\n    dependsOn: [lst]\n');
    const res = await weft(['run', path.join(dir, 'bad.yaml'), '--config', path.join(demo, 'weft.config.yaml')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      'WEFT_PIPELINE_INVALID: Pipeline "bad" is invalid (1 problem):\n  - steps[1].dependsOn: unknown step "lst" (did you mean "list"?)',
    );
  });

  it('exits 1 with the failed steps when a run fails', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'weft-cli-'));
    writeFileSync(
      path.join(dir, 'p.yaml'),
      'name: missing-doc\nsteps:\n  - id: f\n    task: docs.fetch\n    input: { name: { $ref: input.name } }\n    retries: 2\n',
    );
    writeFileSync(path.join(dir, 'in.json'), JSON.stringify({ name: 'nope.md' }));
    const res = await weft(['run', path.join(dir, 'p.yaml'), '--config', path.join(demo, 'weft.config.yaml'), '--input', `@${path.join(dir, 'in.json')}`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('WEFT_RUN_FAILED');
    expect(res.stderr).toContain('no document named nope.md');
  });

  it('rejects malformed --input JSON with a hint', async () => {
    const res = await weft(['run', path.join(demo, 'pipeline.yaml'), '--config', path.join(demo, 'weft.config.yaml'), '--input', '{bad']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('WEFT_RUN_INPUT_INVALID: --input is not valid JSON');
  });

  it('names an unknown plugin package and how to install it', async () => {
    const res = await weft(['validate', path.join(demo, 'pipeline.yaml'), '--plugins', 'weft-plugin-nope']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('WEFT_PLUGIN_NOT_FOUND: Plugin "weft-plugin-nope" is not installed');
  });
});
