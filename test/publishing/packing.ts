/** Packs a package the way a release does (`pnpm pack` rewrites `workspace:` ranges) and reads the tarball back. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mustRun, pnpm } from './commands.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  license?: string;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  exports?: Record<string, unknown>;
  files?: string[];
  publishConfig?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export interface PackedPackage {
  readonly dir: string;
  readonly tarball: string;
  /** Paths inside the tarball, without the leading `package/`. */
  readonly files: readonly string[];
  /** package.json as published. */
  readonly manifest: Manifest;
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Every package under packages/ that is not private: what a release publishes. */
export function publishableDirs(): string[] {
  const base = path.join(ROOT, 'packages');
  return readdirSync(base)
    .map((name) => path.join(base, name))
    .filter((dir) => {
      try {
        return readManifest(dir).private !== true;
      } catch {
        return false;
      }
    })
    .sort();
}

/** Packing an unbuilt package would publish no code: say which build to run instead. */
export function requireBuilt(dir: string): void {
  const main = readManifest(dir).main;
  if (!main || !existsSync(path.join(dir, main))) {
    throw new Error(`${path.relative(ROOT, dir)} is not built (${main ?? 'main'} is missing). Run \`pnpm build\` at the repository root first.`);
  }
}

export async function pack(dir: string, destination: string): Promise<PackedPackage> {
  requireBuilt(dir);
  const { stdout } = await mustRun(...pnpm(['pack', '--pack-destination', destination]), dir);
  const tarball = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.trim().endsWith('.tgz'))
    ?.trim();
  if (!tarball) throw new Error(`pnpm pack in ${dir} named no tarball:\n${stdout}`);
  const list = await mustRun('tar', ['-tzf', tarball], destination);
  const files = list.stdout
    .trim()
    .split('\n')
    .map((f) => f.replace(/^package\//, ''))
    .sort();
  const json = await mustRun('tar', ['-xzOf', tarball, 'package/package.json'], destination);
  return { dir, tarball, files, manifest: JSON.parse(json.stdout) as Manifest };
}
