/** `pnpm start`: the built plugin, loaded by its package name from weft.config.yaml, runs pipeline.yaml. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('..', import.meta.url));
const weft = fileURLToPath(new URL('../node_modules/@weft/engine/bin/weft.js', import.meta.url));

describe('the template run by the weft CLI', () => {
  it('loads the built plugin by name and counts both texts', async () => {
    expect(existsSync(new URL('../dist/index.js', import.meta.url)), 'build the template first: pnpm build').toBe(true);
    const { stdout } = await promisify(execFile)(process.execPath, [weft, 'run', 'pipeline.yaml', '--input', '@input.json', '--json'], { cwd: here });
    const result = JSON.parse(stdout) as { status: string; output: unknown };
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ title: { words: 3, top: 'the' }, body: { words: 16, top: 'the' } });
    // A whole CLI process (Node start, engine import, run): more than vitest's 5 s default on a busy machine.
  }, 60_000);
});
