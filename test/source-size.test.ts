/**
 * One idea a file: no source file of a package may pass 350 lines. A file that grows past it
 * is split by responsibility (see STYLE.md), not trimmed to fit.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAX_LINES = 350;
const root = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.isFile() && e.name.endsWith('.ts') ? [p] : [];
  });
}

function lineCount(text: string): number {
  return text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

describe('source file size', () => {
  const packages = readdirSync(join(root, 'packages'), { withFileTypes: true }).filter((e) => e.isDirectory());
  const files = packages.flatMap((p) => {
    const src = join(root, 'packages', p.name, 'src');
    try {
      return sources(src);
    } catch {
      return [];
    }
  });

  it('finds the sources it checks', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it(`keeps every packages/*/src/**/*.ts file at ${MAX_LINES} lines or fewer`, () => {
    const over = files
      .map((f) => ({ file: relative(root, f), lines: lineCount(readFileSync(f, 'utf8')) }))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `${f.file} (${f.lines} lines)`);
    expect(over, `split these by responsibility, one idea a file: ${over.join(', ')}`).toEqual([]);
  });

  it('counts lines as wc -l does', () => {
    expect(lineCount('')).toBe(0);
    expect(lineCount('a\n')).toBe(1);
    expect(lineCount('a\nb')).toBe(2);
    expect(lineCount('a\nb\n')).toBe(2);
  });
});
