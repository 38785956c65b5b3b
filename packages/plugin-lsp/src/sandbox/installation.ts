/**
 * A language server's own installation: the npm packages its scripts live in and, transitively,
 * the packages they depend on. The sandbox binds these read-only, and results that point into
 * them (TypeScript's `lib.*.d.ts`) are kept as external locations; anything else outside the
 * workspace root is not the server's to read.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface Installation {
  /** Real root directories of the packages (each `…/node_modules/<name>`). */
  readonly packages: readonly string[];
  /**
   * What a confined server must see to load them: the `node_modules` directory that holds each
   * package (with pnpm, `.pnpm/<name>@<version>/node_modules`, whose symlinks name its
   * dependencies), or a path itself when it is not inside a package.
   */
  readonly binds: readonly string[];
}

/** The installation behind `paths` (scripts, binaries, directories); paths that do not exist are skipped. */
export function installationOf(paths: readonly string[]): Installation {
  const packages = new Set<string>();
  const binds = new Set<string>();
  const visit = (pkg: string): void => {
    if (packages.has(pkg)) return;
    packages.add(pkg);
    binds.add(nodeModulesDir(pkg));
    for (const dep of dependencyNames(pkg)) {
      const found = lookupPackage(pkg, dep);
      if (found !== undefined) visit(found);
    }
  };
  for (const p of paths) {
    const real = realPath(p);
    if (real === undefined) continue;
    const pkg = packageRoot(real);
    if (pkg === undefined) binds.add(real);
    else visit(pkg);
  }
  return { packages: [...packages], binds: [...binds] };
}

function realPath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

/** The package directory holding `p`: the nearest ancestor that sits in a `node_modules` (or `node_modules/@scope`). */
function packageRoot(p: string): string | undefined {
  let dir = isDirectory(p) ? p : dirname(p);
  for (;;) {
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    if (basename(parent) === 'node_modules' && !basename(dir).startsWith('.')) return dir;
    if (basename(parent).startsWith('@') && basename(dirname(parent)) === 'node_modules') return dir;
    dir = parent;
  }
}

function nodeModulesDir(pkg: string): string {
  const parent = dirname(pkg);
  return basename(parent).startsWith('@') ? dirname(parent) : parent;
}

function dependencyNames(pkg: string): string[] {
  try {
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as Record<string, unknown>;
    return ['dependencies', 'optionalDependencies', 'peerDependencies'].flatMap((field) => {
      const deps = manifest[field];
      return typeof deps === 'object' && deps !== null ? Object.keys(deps) : [];
    });
  } catch {
    return [];
  }
}

/** Node's lookup: `<dir>/node_modules/<name>` for `pkg` and each ancestor not itself named node_modules. */
function lookupPackage(pkg: string, name: string): string | undefined {
  for (let dir = pkg; ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(candidate)) return realPath(candidate);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
