/** The template as its README tells an author to prepare it after copying it out of the repository. */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, readManifest } from './packing.js';

export const TEMPLATE = path.join(ROOT, 'examples/plugin-template');

/**
 * Copies `entries` of the template into `dir`, then edits package.json as step 1 of the README
 * says: no `private`, and the engine devDependency on the published range instead of the workspace.
 */
export function copyTemplateOut(dir: string, entries: readonly string[], engineRange: string): string {
  mkdirSync(dir, { recursive: true });
  for (const entry of entries) cpSync(path.join(TEMPLATE, entry), path.join(dir, entry), { recursive: true });
  const manifest = readManifest(dir) as unknown as Record<string, unknown> & { devDependencies: Record<string, string> };
  delete manifest['private'];
  manifest.devDependencies['@weft/engine'] = engineRange;
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}
