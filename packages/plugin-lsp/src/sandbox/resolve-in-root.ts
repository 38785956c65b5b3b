/**
 * The workspace sandbox: a path given by a task is resolved inside the root, following
 * symlinks, and refused when it ends up anywhere else.
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LspError } from '../errors.js';

export interface ResolvedPath {
  /** Real absolute path (symlinks followed as far as the path exists). */
  readonly abs: string;
  /** Path relative to the root, with `/` separators (`.` for the root itself). */
  readonly rel: string;
  readonly exists: boolean;
}

/** Real path of a root directory; the caller keeps it so each lookup is cheap. */
export function realRoot(root: string): string {
  return realpathSync(resolve(root));
}

export function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves `p` (relative to `base`, itself inside `root`, or absolute) and checks that it stays
 * inside `root` both as written and once symlinks are followed.
 */
export function resolveInRoot(root: string, p: string, base: string = root, what = 'path'): ResolvedPath {
  const refuse = (why: string): LspError<'WEFT_LSP_PATH_OUTSIDE_ROOT'> =>
    new LspError(
      'WEFT_LSP_PATH_OUTSIDE_ROOT',
      `The ${what} "${p}" ${why} outside the workspace root ${root}. Give a path inside the root, or set the plugin's workspaceRoot to a directory that holds it.`,
      {
        details: { path: p, root },
      },
    );
  if (p.includes('\0')) throw refuse('holds a NUL byte, so it lies');
  const lexical = isAbsolute(p) ? resolve(p) : resolve(base, p);
  const real = realPrefix(lexical);
  if (real === undefined) throw refuse('follows too many symlinks (a loop?), so it may lead');
  // Only where the path really leads matters; the lexical check just picks the clearer message.
  if (!isInside(root, real.abs)) throw refuse(isInside(root, lexical) ? 'follows a symlink that leads' : 'resolves');
  return { abs: real.abs, rel: relative(root, real.abs).split(sep).join('/') || '.', exists: real.exists };
}

/** Most symlinks followed while resolving one path, as the kernel's ELOOP limit. */
const MAX_LINKS = 40;

/**
 * Real path of the longest existing prefix, with the rest appended as written. A dangling
 * symlink on the way is followed too (its target resolved as the kernel would once the target
 * is created), so a link to a file that does not exist yet cannot hide where it leads.
 * Undefined when the links loop.
 */
function realPrefix(p: string, links = 0): { abs: string; exists: boolean } | undefined {
  const tail: string[] = [];
  let cur = p;
  for (;;) {
    try {
      const real = realpathSync(cur);
      return { abs: tail.length === 0 ? real : join(real, ...tail.reverse()), exists: tail.length === 0 };
    } catch {
      const target = symlinkTarget(cur);
      if (target !== undefined) {
        if (links >= MAX_LINKS) return undefined;
        return realPrefix(join(resolve(dirname(cur), target), ...tail.reverse()), links + 1);
      }
      const parent = dirname(cur);
      if (parent === cur) return { abs: p, exists: false };
      tail.push(basename(cur));
      cur = parent;
    }
  }
}

/** What a symlink points at, or undefined when `p` is not one (or does not exist). */
function symlinkTarget(p: string): string | undefined {
  try {
    return lstatSync(p).isSymbolicLink() ? readlinkSync(p) : undefined;
  } catch {
    return undefined;
  }
}
