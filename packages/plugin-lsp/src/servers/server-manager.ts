/**
 * Owns every language-server process: one per (server, workspace root), started on demand,
 * restarted after a crash with exponential backoff, stopped when idle or to make room under the
 * cap, and shut down on close.
 */
import type { Logger } from '@weft/engine';
import { sleep } from '@weft/engine/util';
import { LspError, isLspError } from '../errors.js';
import type { Launch, ServerSandbox } from '../sandbox/server-sandbox.js';
import { LanguageServer, unavailable } from './language-server.js';
import { unavailableReason, type ServerSpec } from './server-spec.js';

export interface ServerManagerOptions {
  readonly logger: Logger;
  /** Confines each server process (or, in paths-only mode, starts it as it is). */
  readonly sandbox: ServerSandbox;
  readonly startTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxServers: number;
  readonly maxOpenDocuments: number;
  readonly restartDelayMs: number;
  readonly maxRestartDelayMs: number;
}

/** A live server as `servers()` reports it. */
export interface ServerInfo {
  readonly server: string;
  readonly root: string;
  readonly pid: number;
  readonly languages: readonly string[];
  readonly state: string;
  readonly pending: number;
  readonly requests: number;
  readonly cancelled: number;
  readonly openDocuments: number;
  readonly startedAt: number;
  /** Crashes since the last request that succeeded, which set the restart delay. */
  readonly crashes: number;
}

interface Entry {
  readonly key: string;
  readonly promise: Promise<LanguageServer>;
  server?: LanguageServer;
}

export class ServerManager {
  private readonly entries = new Map<string, Entry>();
  private readonly crashes = new Map<string, { count: number; at: number }>();
  private readonly closing = new AbortController();
  private readonly sweeper: NodeJS.Timeout;
  /** Processes still alive by pid, killed as a last resort if the host exits without close(). */
  private readonly pids = new Set<number>();
  private readonly onProcessExit = (): void => {
    for (const pid of this.pids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };

  constructor(private readonly o: ServerManagerOptions) {
    this.sweeper = setInterval(() => this.stopIdle(), Math.max(1_000, Math.min(o.idleTimeoutMs / 2, 30_000)));
    this.sweeper.unref();
    process.on('exit', this.onProcessExit);
  }

  /**
   * Runs `fn` with the server for (spec, root), starting it first if needed. `cold` tells
   * whether this call started it.
   */
  async use<T>(spec: ServerSpec, root: string, signal: AbortSignal | undefined, fn: (server: LanguageServer, cold: boolean) => Promise<T>): Promise<T> {
    if (this.closing.signal.aborted) throw closedError();
    const key = `${spec.name}\u0000${root}`;
    let entry = this.entries.get(key);
    let cold = false;
    if (entry === undefined) {
      const reason = unavailableReason(spec);
      if (reason !== undefined) throw unavailable(spec, reason);
      // Fails closed (WEFT_LSP_SANDBOX_UNAVAILABLE) before anything is spawned.
      const launch = await this.o.sandbox.launch(spec, root);
      if (this.closing.signal.aborted) throw closedError();
      // Another call may have started the server while the sandbox was being checked.
      entry = this.entries.get(key);
      if (entry === undefined) {
        entry = this.startEntry(key, spec, root, launch);
        cold = true;
      }
    }
    const server = await abortable(entry.promise, signal);
    server.pending += 1;
    server.lastUsed = Date.now();
    try {
      const result = await fn(server, cold);
      this.crashes.delete(key);
      return result;
    } finally {
      server.pending -= 1;
      server.lastUsed = Date.now();
    }
  }

  servers(): ServerInfo[] {
    const out: ServerInfo[] = [];
    for (const e of this.entries.values()) {
      const s = e.server;
      if (s === undefined) continue;
      out.push({
        server: s.spec.name,
        root: s.root,
        pid: s.pid,
        languages: s.spec.languages,
        state: s.state,
        pending: s.pending,
        requests: s.requests,
        cancelled: s.cancelled,
        openDocuments: s.openDocuments(),
        startedAt: s.startedAt,
        crashes: this.crashes.get(e.key)?.count ?? 0,
      });
    }
    return out;
  }

  /** Shuts every server down (`shutdown`/`exit`, then the process group is killed). */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort(closedError());
    clearInterval(this.sweeper);
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(
      entries.map(async (e) => {
        const server = await e.promise.catch(() => undefined);
        await server?.shutdown();
      }),
    );
    process.off('exit', this.onProcessExit);
  }

  private startEntry(key: string, spec: ServerSpec, root: string, launch: Launch): Entry {
    const promise = (async () => {
      await this.restartDelay(key, spec);
      await this.makeRoom(key);
      if (this.closing.signal.aborted) throw closedError();
      const server = await LanguageServer.start({
        spec,
        launch,
        root,
        logger: this.o.logger,
        startTimeoutMs: this.o.startTimeoutMs,
        shutdownTimeoutMs: this.o.shutdownTimeoutMs,
        maxOpenDocuments: this.o.maxOpenDocuments,
      });
      this.pids.add(server.pid);
      server.onExit((exit) => {
        this.pids.delete(server.pid);
        if (this.entries.get(key)?.server === server) this.entries.delete(key);
        if (exit.unexpected) {
          this.recordCrash(key);
          this.o.logger.warn(
            { server: spec.name, pid: server.pid, code: exit.code, signal: exit.signal },
            'language server exited unexpectedly; the next request restarts it',
          );
        }
      });
      if (this.closing.signal.aborted) {
        await server.shutdown();
        throw closedError();
      }
      this.o.logger.debug({ server: spec.name, pid: server.pid, root }, 'language server started');
      return server;
    })();
    const entry: Entry = { key, promise };
    this.entries.set(key, entry);
    promise.then(
      (server) => {
        entry.server = server;
      },
      (err: unknown) => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
        // A full house or a closing bridge says nothing about the server's health.
        if (!isLspError(err, 'WEFT_LSP_SERVER_LIMIT') && !isLspError(err, 'WEFT_LSP_CLOSED')) this.recordCrash(key);
      },
    );
    return entry;
  }

  private recordCrash(key: string): void {
    const prev = this.crashes.get(key);
    this.crashes.set(key, { count: (prev?.count ?? 0) + 1, at: Date.now() });
  }

  /** Waits out the backoff after a crash: restartDelayMs doubled per crash in a row, capped. */
  private async restartDelay(key: string, spec: ServerSpec): Promise<void> {
    const crash = this.crashes.get(key);
    if (crash === undefined) return;
    const delay = Math.min(this.o.restartDelayMs * 2 ** (crash.count - 1), this.o.maxRestartDelayMs);
    const wait = crash.at + delay - Date.now();
    if (wait <= 0) return;
    this.o.logger.debug({ server: spec.name, crashes: crash.count, waitMs: wait }, 'waiting before restarting a crashed language server');
    await sleep(wait, this.closing.signal);
  }

  /** Stops the least recently used idle server when starting one more would pass the cap. */
  private async makeRoom(key: string): Promise<void> {
    while (this.entries.size > this.o.maxServers) {
      const idle = [...this.entries.values()]
        .filter((e) => e.key !== key && e.server !== undefined && e.server.pending === 0 && e.server.state === 'running')
        .sort((a, b) => a.server!.lastUsed - b.server!.lastUsed)[0];
      if (idle === undefined) {
        this.entries.delete(key);
        throw new LspError(
          'WEFT_LSP_SERVER_LIMIT',
          `All ${this.o.maxServers} language servers allowed (maxServers) are busy, so no new one can start now. Retry later, or raise maxServers.`,
          {
            details: { maxServers: this.o.maxServers },
          },
        );
      }
      this.entries.delete(idle.key);
      this.o.logger.debug({ server: idle.server!.spec.name, root: idle.server!.root }, 'stopping the least recently used language server to make room');
      await idle.server!.shutdown();
    }
  }

  private stopIdle(): void {
    const now = Date.now();
    for (const e of [...this.entries.values()]) {
      const s = e.server;
      if (s === undefined || s.pending > 0 || s.state !== 'running' || now - s.lastUsed < this.o.idleTimeoutMs) continue;
      this.entries.delete(e.key);
      this.o.logger.debug({ server: s.spec.name, root: s.root, idleMs: now - s.lastUsed }, 'stopping idle language server');
      void s.shutdown();
    }
  }
}

function closedError(): LspError<'WEFT_LSP_CLOSED'> {
  return new LspError('WEFT_LSP_CLOSED', 'The language bridge is closed (the engine was closed); create a new engine to use language servers.');
}

function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  let onAbort: (() => void) | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    }),
  ]).finally(() => signal.removeEventListener('abort', onAbort!));
}
