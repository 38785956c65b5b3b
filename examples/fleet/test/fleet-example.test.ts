/** The fleet example as its README runs it: a private Redis, three workers, a run, `weft status`, then nothing left running. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../run.mjs', import.meta.url));

describe('examples/fleet', () => {
  it('runs the pipeline across three capability-specific workers, prints weft status, and stops everything', async () => {
    const { stdout, stderr } = await run(process.execPath, [script], { timeout: 60_000, env: { ...process.env, WEFT_LOG_LEVEL: 'info' } });
    const out = stdout + stderr;
    expect(out).toMatch(/Run [0-9a-f-]{36} of "fleet-example": succeeded/);
    // Capabilities decided where tasks ran: Python lint on py-1, embeddings on gpu-1.
    expect(out).toContain('lint             succeeded · 5 items · on py-1');
    expect(out).toContain('embed            succeeded · 5 items · on gpu-1');
    expect(out).toMatch(/Workers \(3\)/);
    expect(out).toContain('Stopped the workers and Redis.');
    const port = /Redis on redis:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1];
    expect(port).toBeDefined();
    // No worker of this example survives it.
    const { stdout: ps } = await run('ps', ['-eo', 'args']);
    expect(ps.split('\n').filter((l) => l.includes(`redis://127.0.0.1:${port}`))).toEqual([]);
  });
});
