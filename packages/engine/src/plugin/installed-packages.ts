/** Package names Node would find from a directory, for "did you mean" on a misspelt plugin name. */
import { readdirSync } from 'node:fs';
import path from 'node:path';

/** At most this many names are read: enough for any project's node_modules, bounded for a huge one. */
const MAX_NAMES = 20_000;

export function installedPackages(baseDir: string): string[] {
  const names = new Set<string>();
  for (let dir = path.resolve(baseDir); ; dir = path.dirname(dir)) {
    for (const entry of list(path.join(dir, 'node_modules'))) {
      if (names.size >= MAX_NAMES) return [...names];
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) for (const scoped of list(path.join(dir, 'node_modules', entry))) names.add(`${entry}/${scoped}`);
      else names.add(entry);
    }
    if (path.dirname(dir) === dir) return [...names];
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
