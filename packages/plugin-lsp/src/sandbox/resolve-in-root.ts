/**
 * The workspace sandbox: a path given by a task is resolved inside the root, following
 * symlinks, and refused when it ends up anywhere else.
 */
import { realpathSync } from 'node:fs';
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
    new LspError('WEFT_LSP_PATH_OUTSIDE_ROOT', `The ${what} "${p}" ${why} outside the workspace root ${root}. Give a path inside the root, or set the plugin's workspaceRoot to a directory that holds it.`, {
      details: { path: p, root },
    });
  if (p.includes('\0')) throw refuse('holds a NUL byte, so it lies');
  const lexical = isAbsolute(p) ? resolve(p) : resolve(base, p);
  const real = realPrefix(lexical);
  // Only where the path really leads matters; the lexical check just picks the clearer message.
  if (!isInside(root, real.abs)) throw refuse(isInside(root, lexical) ? 'follows a symlink that leads' : 'resolves');
  return { abs: real.abs, rel: relative(root, real.abs).split(sep).join('/') || '.', exists: real.exists };
}

/** Real path of the longest existing prefix, with the rest appended as written. */
function realPrefix(p: string): { abs: string; exists: boolean } {
  const tail: string[] = [];
  let cur = p;
  for (;;) {
    try {
      const real = realpathSync(cur);
      return { abs: tail.length === 0 ? real : join(real, ...tail.reverse()), exists: tail.length === 0 };
    } catch {
      const parent = dirname(cur);
      if (parent === cur) return { abs: p, exists: false };
      tail.push(basename(cur));
      cur = parent;
    }
  }
}
