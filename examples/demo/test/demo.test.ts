/** `pnpm demo` as a user sees it: the run succeeds after a retry, and the trace is shown. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../run.mjs', import.meta.url));

describe('examples/demo', () => {
  it('fans out, recovers a failed fetch by retrying, fans in, and prints its trace', async () => {
    const env = { ...process.env };
    delete env['OTEL_EXPORTER_OTLP_ENDPOINT'];
    delete env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
    const { stdout } = await run(process.execPath, [script], { timeout: 60_000, env });
    expect(stdout).toMatch(
      /retry: fetch attempt 1 failed \(Task "fetch" \(docs\.fetch\) failed on worker slot-[ab]: connection reset while fetching intro\.md\)/,
    );
    expect(stdout).toContain('step fetch    succeeded (4 attempts, 3 items)');
    expect(stdout).toMatch(/Run [0-9a-f-]{36}: succeeded/);
    expect(stdout).toContain('"documents": 3');
    expect(stdout).toMatch(/Trace: \d+ spans kept in memory/);
    expect(stdout).toMatch(/^weft\.pipeline\.run /m);
    expect(stdout).toMatch(/^ {4}weft\.decision\.retry .*choice=retry/m);
  });
});
