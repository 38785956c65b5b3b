/**
 * A private npm registry (verdaccio) on loopback for one test file: storage in a temp dir,
 * anonymous publish, no uplinks, so nothing is ever proxied and nothing leaves the machine.
 * close() stops the process and waits until its pid is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../test-support/redis-server.js';

export interface PrivateRegistry {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly pid: number;
  /** Lines for an `.npmrc` routing `scopes` to this registry, with a fake token for publishing. */
  npmrc(scopes: readonly string[]): string;
  close(): Promise<void>;
}

const CONFIG = `storage: ./storage
auth:
  htpasswd:
    file: ./htpasswd
    max_users: -1
uplinks: {}
packages:
  '**':
    access: $all
    publish: $all
    unpublish: $all
publish:
  allow_offline: true
web:
  enable: false
log: { type: stdout, format: pretty, level: warn }
`;

export async function startPrivateRegistry(): Promise<PrivateRegistry> {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-registry-'));
  writeFileSync(path.join(dir, 'config.yaml'), CONFIG);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const bin = createRequire(import.meta.url).resolve('verdaccio/bin/verdaccio');
  const proc = spawn(process.execPath, [bin, '--config', path.join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proc.stdout.on('data', (d: Buffer) => (log += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (log += d.toString()));
  try {
    await waitForPing(url, proc, () => log);
  } catch (err) {
    await stop(proc);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const hostPath = `//127.0.0.1:${port}/`;
  return {
    url,
    pid: proc.pid!,
    npmrc: (scopes) => [...scopes.map((s) => `${s}:registry=${url}`), `${hostPath}:_authToken=fake-token-for-loopback-only`, ''].join('\n'),
    async close() {
      await stop(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPing(url: string, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`verdaccio exited with ${proc.exitCode} before it listened:\n${log()}`);
    try {
      const res = await fetch(`${url}-/ping`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`verdaccio did not answer ${url}-/ping within 30 s:\n${log()}`);
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Whether a process with this pid still exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A test file's teardown: stops the registry (if it started) and removes the work directory.
 * Resolves with whether the registry's process is gone.
 */
export async function closeRegistry(registry: PrivateRegistry | undefined, work: string | undefined): Promise<boolean> {
  const pid = registry?.pid;
  await registry?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  return pid === undefined || !pidAlive(pid);
}
