/**
 * Telemetry never fails a run: `weft run` with a collector that is not there succeeds with its
 * usual exit code, says so in one warning line (no stack trace), and does not wait out the
 * exporter's retries at exit.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../test-support/redis-server.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = path.join(root, 'packages/engine/src/cli/main.ts');
const demo = path.join(root, 'examples/demo');

/** Runs the CLI; `tailMs` is the time from its last output on stdout (the result) to its exit. */
function weft(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; tailMs: number }> {
  let lastOut = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      lastOut = performance.now();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr, tailMs: performance.now() - lastOut }));
  });
}

describe('an unreachable collector', () => {
  it('leaves the run, its exit code and its output alone, with one warning line', async () => {
    const args = ['run', path.join(demo, 'pipeline.yaml'), '--config', path.join(demo, 'weft.config.yaml'), '--json', '--no-progress'];
    const dead = `http://127.0.0.1:${await freePort()}`;
    const traced = await weft(args, { WEFT_LOG_LEVEL: 'warn', OTEL_EXPORTER_OTLP_ENDPOINT: dead, OTEL_METRICS_EXPORTER: 'otlp' });
    expect(traced.code).toBe(0);
    expect(JSON.parse(traced.stdout)).toMatchObject({ status: 'succeeded' });
    const lines = traced.stderr.split('\n').filter((l) => l.trim() !== '');
    const warnings = lines.filter((l) => l.includes('telemetry'));
    expect(warnings, traced.stderr).toHaveLength(1);
    expect(warnings[0]).toContain(dead);
    expect(traced.stderr).not.toMatch(/^\s+at /m);
    // The exporter would retry for about 10 s; the exit waits at most 2 s for it (slack for a busy machine).
    expect(traced.tailMs).toBeLessThan(3_500);
  });
});
