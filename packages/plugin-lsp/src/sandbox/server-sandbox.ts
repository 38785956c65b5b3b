/**
 * How a language-server process is started: confined by bubblewrap to the workspace root and its
 * own installation (`sandbox: 'bwrap'`, the default), or as a plain child process that only the
 * task-path checks guard (`sandbox: 'paths-only'`). Without a working bubblewrap the bwrap mode
 * fails closed with WEFT_LSP_SANDBOX_UNAVAILABLE.
 */
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { LspError } from '../errors.js';
import { findExecutable, type ServerSpec } from '../servers/server-spec.js';
import { bwrapArgs } from './bwrap-args.js';
import { installationOf } from './installation.js';

/** The command line that starts a server. */
export interface Launch {
  readonly command: string;
  readonly args: readonly string[];
  /**
   * The server runs in its own pid namespace, where the host's pid means nothing: `initialize`
   * then sends `processId: null`, or the server would find "its client" gone and exit.
   */
  readonly ownPidNamespace: boolean;
}

export type SandboxMode = 'bwrap' | 'paths-only';

export interface ServerSandbox {
  readonly mode: SandboxMode;
  /** How to start `spec` for `root`; rejects with WEFT_LSP_SANDBOX_UNAVAILABLE when it cannot be confined. */
  launch(spec: ServerSpec, root: string): Promise<Launch>;
}

export interface SandboxOptions {
  readonly sandbox: SandboxMode;
  /** bubblewrap's executable: a name looked up on PATH, or a path. */
  readonly bwrapPath: string;
}

export function createSandbox(o: SandboxOptions, workspaceRoot: string): ServerSandbox {
  return o.sandbox === 'paths-only' ? new PathsOnlySandbox() : new BwrapSandbox(workspaceRoot, o.bwrapPath);
}

class PathsOnlySandbox implements ServerSandbox {
  readonly mode = 'paths-only';

  launch(spec: ServerSpec): Promise<Launch> {
    return Promise.resolve({ command: spec.command, args: spec.args, ownPidNamespace: false });
  }
}

const PROBE_TIMEOUT_MS = 10_000;
const FIX = "or set the plugin's sandbox to 'paths-only' (weaker: a server may then read any file this process can, for example through an import)";

class BwrapSandbox implements ServerSandbox {
  readonly mode = 'bwrap';
  /** The checked bwrap executable; kept only once a probe succeeded, so installing it later helps. */
  private ready: Promise<string> | undefined;

  constructor(
    private readonly workspaceRoot: string,
    private readonly bwrapPath: string,
  ) {}

  async launch(spec: ServerSpec, root: string): Promise<Launch> {
    if (this.ready === undefined) {
      const probe = this.probe();
      this.ready = probe;
      probe.catch(() => {
        if (this.ready === probe) this.ready = undefined;
      });
    }
    const bwrap = await this.ready;
    const command = findExecutable(spec.command);
    // The command itself is part of the installation (Node's binary for the built-ins).
    const { binds } = installationOf([...spec.readPaths, ...(command === undefined ? [] : [realpathSync(command)])]);
    return { command: bwrap, ownPidNamespace: true, args: bwrapArgs({ workspaceRoot: this.workspaceRoot, cwd: root, binds }, spec.command, spec.args) };
  }

  /** Finds bwrap and checks once that it can build a sandbox here (user namespaces may be disabled). */
  private async probe(): Promise<string> {
    const bwrap = findExecutable(this.bwrapPath);
    if (bwrap === undefined) {
      throw new LspError(
        'WEFT_LSP_SANDBOX_UNAVAILABLE',
        `Language servers run confined by bubblewrap, but "${this.bwrapPath}" was not found${this.bwrapPath.includes('/') ? '' : ' on PATH'}. Install the bubblewrap package (Debian and Ubuntu: apt-get install bubblewrap), set the plugin's bwrapPath to its executable, ${FIX}.`,
        { details: { bwrapPath: this.bwrapPath, package: 'bubblewrap' } },
      );
    }
    const failure = await new Promise<string | undefined>((resolve) => {
      execFile(
        bwrap,
        ['--unshare-all', '--die-with-parent', '--cap-drop', 'ALL', '--ro-bind', '/', '/', 'true'],
        { timeout: PROBE_TIMEOUT_MS },
        (err, _stdout, stderr) => {
          resolve(err === null ? undefined : stderr.trim().split('\n')[0] || err.message);
        },
      );
    });
    if (failure !== undefined) {
      throw new LspError(
        'WEFT_LSP_SANDBOX_UNAVAILABLE',
        `bubblewrap ("${bwrap}") cannot create a sandbox on this host: ${failure}. Allow unprivileged user namespaces (the kernel setting, or the AppArmor profile some distributions require for bwrap), ${FIX}.`,
        { details: { bwrapPath: bwrap, package: 'bubblewrap' } },
      );
    }
    return bwrap;
  }
}
