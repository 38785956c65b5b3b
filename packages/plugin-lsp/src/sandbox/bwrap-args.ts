/**
 * bubblewrap's command line for one confined language server. The server (and every process it
 * starts, such as tsserver) gets a new mount namespace in which only these exist:
 * - the system's runtime, read-only (`/usr` and the `/bin`, `/lib*` links into it): libc, the
 *   shared libraries Node links against, and an interpreter pyright may ask for search paths;
 * - its own installation (the npm packages behind its scripts, and its command), read-only;
 * - the workspace root, read-only;
 * - a private, empty `/tmp` (also `$TMPDIR` and `$HOME`), `/dev` and `/proc`.
 * `/etc`, home directories, the rest of the host and the network are absent.
 */
import { lstatSync, readlinkSync } from 'node:fs';

/** Top-level system directories, bound read-only (or recreated as the links they are). */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

export interface BwrapLayout {
  /** Real path of the workspace root, bound read-only. */
  readonly workspaceRoot: string;
  /** The server's working directory (its root, inside the workspace root). */
  readonly cwd: string;
  /** Files and directories of the server's installation (and Node), bound read-only. */
  readonly binds: readonly string[];
}

export function bwrapArgs(layout: BwrapLayout, command: string, args: readonly string[]): string[] {
  const out: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    const kind = entryKind(dir);
    if (kind === 'link') out.push('--symlink', readlinkSync(dir), dir);
    else if (kind === 'dir') out.push('--ro-bind', dir, dir);
  }
  // The tmpfs comes before the binds, so a root or package that lives under /tmp is mounted on top of it.
  out.push('--tmpfs', '/tmp', '--dev', '/dev', '--proc', '/proc');
  for (const p of [...new Set(layout.binds)].sort()) out.push('--ro-bind', p, p);
  out.push('--ro-bind', layout.workspaceRoot, layout.workspaceRoot);
  out.push(
    // Every namespace: mount, pid, ipc, uts, cgroup, network (a server needs none), user where allowed.
    '--unshare-all',
    // If the engine dies without closing, the sandbox goes with it.
    '--die-with-parent',
    // Matters when the host runs as root: the server keeps no capability inside.
    '--cap-drop',
    'ALL',
    '--setenv',
    'TMPDIR',
    '/tmp',
    '--setenv',
    'HOME',
    '/tmp',
    '--chdir',
    layout.cwd,
    '--',
    command,
    ...args,
  );
  return out;
}

function entryKind(p: string): 'link' | 'dir' | undefined {
  try {
    const st = lstatSync(p);
    return st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : undefined;
  } catch {
    return undefined;
  }
}
