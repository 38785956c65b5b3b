import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { engineConfigSchema } from '@weft/engine';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The README's defaults table: field path → the default cell (JSON in backticks, or `none`). */
function documentedDefaults(): Map<string, string> {
  // The section only: later sections have tables of their own (the dashboard's flags).
  const start = readme.indexOf('## Engine configuration');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const rows = new Map<string, string>();
  for (const m of section.matchAll(/^\| `([^`]+)` \| (`[^`]*`|none) \|/gm)) rows.set(m[1]!, m[2]!);
  return rows;
}

/** What the schema gives a field when it is left out: at `workers[].x`, for a slot with only an id. */
function schemaDefault(path: string): unknown {
  const item = path.startsWith('workers[].');
  const parsed = engineConfigSchema.parse(item ? { workers: [{ id: 'w' }] } : {}) as Record<string, unknown>;
  let at: unknown = item ? (parsed.workers as unknown[])[0] : parsed;
  for (const key of (item ? path.slice('workers[].'.length) : path).split('.')) at = (at as Record<string, unknown> | undefined)?.[key];
  return at;
}

describe('engine configuration defaults', () => {
  it('the README table lists every field of the schema with the default the schema applies', () => {
    const rows = documentedDefaults();
    const parsed = engineConfigSchema.parse({ workers: [{ id: 'w' }] });
    const fields = [
      ...Object.keys(parsed),
      ...Object.keys(parsed.workers[0]!)
        .filter((k) => k !== 'id')
        .map((k) => `workers[].${k}`),
      ...Object.keys(engineConfigSchema.shape.routing.unwrap().shape).map((k) => `routing.${k}`),
      ...Object.keys(engineConfigSchema.shape.limits.unwrap().shape).map((k) => `limits.${k}`),
      ...Object.keys(engineConfigSchema.shape.deadLetters.unwrap().shape).map((k) => `deadLetters.${k}`),
    ];
    expect([...rows.keys()].sort()).toEqual([...new Set(fields.filter((f) => f !== 'routing' && f !== 'limits' && f !== 'deadLetters'))].sort());
    for (const [path, cell] of rows) {
      const documented = cell === 'none' ? undefined : JSON.parse(cell.slice(1, -1));
      expect(schemaDefault(path), path).toEqual(documented);
    }
  });
});
