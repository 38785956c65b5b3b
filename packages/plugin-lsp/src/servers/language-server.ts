/**
 * One language-server process and its JSON-RPC connection: start and `initialize`, the server's
 * own requests, document sync, diagnostics as published, requests with timeout and
 * `$/cancelRequest`, and `shutdown`/`exit` with the process group killed behind it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Logger } from '@weft/engine';
import { CancellationTokenSource, ResponseError, StreamMessageReader, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node.js';
import type { Diagnostic, DocumentDiagnosticReport, InitializeResult, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { LspError, errorMessage } from '../errors.js';
import { OpenDocuments } from './open-documents.js';
import { PublishedDiagnostics } from './published-diagnostics.js';
import { ServerWriter } from './server-writer.js';
import { answerServerRequest, initializeParams, type ClientSide } from './client-protocol.js';
import type { LanguageServerOptions, RequestOptions, ServerExit, ServerState, WaitDiagnosticsOptions } from './server-types.js';
import type { ServerSpec } from './server-spec.js';

export type { LanguageServerOptions, RequestOptions, ServerExit, ServerState, WaitDiagnosticsOptions } from './server-types.js';

const STDERR_TAIL_CHARS = 2_000;

export class LanguageServer {
  readonly spec: ServerSpec;
  readonly root: string;
  readonly pid: number;
  readonly startedAt = Date.now();
  state: ServerState = 'starting';
  /** Requests in progress; a server with any is never stopped for idleness or room. */
  pending = 0;
  lastUsed = Date.now();
  requests = 0;
  cancelled = 0;
  /** Whether the server answers `textDocument/diagnostic` (statically or by registering it). */
  pullDiagnostics = false;

  private readonly child: ChildProcessWithoutNullStreams;
  private readonly conn: MessageConnection;
  private readonly logger: Logger;
  private readonly options: LanguageServerOptions;
  private readonly docs: OpenDocuments;
  private readonly published: PublishedDiagnostics;
  private readonly deathListeners = new Set<(err: LspError) => void>();
  private readonly exitListeners = new Set<(exit: ServerExit) => void>();
  private readonly exited: Promise<ServerExit>;
  private deathError: LspError | undefined;
  private stderrTail = '';

  private constructor(child: ChildProcessWithoutNullStreams, options: LanguageServerOptions) {
    this.child = child;
    this.options = options;
    this.spec = options.spec;
    this.root = options.root;
    this.pid = child.pid ?? -1;
    this.logger = options.logger.child({ server: options.spec.name, pid: this.pid });
    this.conn = createMessageConnection(new StreamMessageReader(child.stdout), new ServerWriter(child.stdin, this.logger));
    this.published = new PublishedDiagnostics(options.spec.name);
    this.docs = new OpenDocuments(
      options.maxOpenDocuments,
      (method, params) => this.conn.sendNotification(method, params),
      (uri) => this.published.forget(uri),
    );
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
      this.logger.debug({ stderr: chunk.trimEnd() }, 'language server stderr');
    });
    // A server that dies leaves its pipes erroring (EPIPE); the exit handler reports it.
    child.stdin.on('error', (err) => this.logger.debug({ err: errorMessage(err) }, 'language server stdin error'));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const unexpected = this.state !== 'stopping';
        this.state = 'exited';
        const exit: ServerExit = { code, signal, unexpected };
        if (unexpected) {
          this.die(
            new LspError(
              'WEFT_LSP_SERVER_CRASHED',
              `Language server "${this.spec.name}" (pid ${this.pid}, root ${this.root}) exited unexpectedly (${signal ?? `code ${code}`})${this.stderrHint()}. The next request restarts it; if it keeps crashing, check the install: ${this.spec.install}.`,
              {
                details: { server: this.spec.name, pid: this.pid, code, signal, root: this.root },
              },
            ),
          );
          // Children of the server (tsserver) would otherwise outlive it.
          this.killGroup();
        }
        this.conn.dispose();
        for (const l of this.exitListeners) l(exit);
        resolve(exit);
      });
    });
    this.registerServerRequests();
    this.conn.listen();
  }

  /** Spawns the server and completes the `initialize` handshake. */
  static async start(options: LanguageServerOptions): Promise<LanguageServer> {
    const { spec, root, launch } = options;
    // Own process group, so shutdown can reap the helpers a server spawns (tsserver, typings installer).
    const child = spawn(launch.command, [...launch.args], { cwd: root, env: { ...process.env, ...spec.env }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const spawnError = new Promise<never>((_, reject) => {
      // `on`, not `once`: a later 'error' with no listener would crash the host.
      child.on('error', (err) => reject(unavailable(spec, `spawning "${launch.command}" failed: ${err.message}`, err)));
    });
    spawnError.catch(() => {});
    if (child.pid === undefined) return spawnError;
    const server = new LanguageServer(child, options);
    try {
      await Promise.race([server.initialize(), spawnError]);
      return server;
    } catch (err) {
      await server.shutdown();
      if (err instanceof LspError && err.code === 'WEFT_LSP_SERVER_UNAVAILABLE') throw err;
      throw unavailable(spec, `it did not complete initialize (${errorMessage(err)})`, err);
    }
  }

  private async initialize(): Promise<void> {
    const params = initializeParams(this.spec, this.root, this.options.launch.ownPidNamespace);
    const result = await this.request<InitializeResult>('initialize', params, { timeoutMs: this.options.startTimeoutMs });
    if (result.capabilities.diagnosticProvider !== undefined) this.pullDiagnostics = true;
    await this.conn.sendNotification('initialized', {});
    this.state = 'running';
    this.logger.debug({ root: this.root }, 'language server initialized');
  }

  /** Answers what servers ask of their client, and listens to what they publish. */
  private registerServerRequests(): void {
    const client: ClientSide = {
      spec: this.spec,
      root: this.root,
      logger: this.logger,
      onPullRegistered: () => {
        this.pullDiagnostics = true;
        this.published.pullRegistered();
      },
    };
    this.conn.onRequest((method, params) => answerServerRequest(method, params, client));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.publish(p);
    });
    this.conn.onNotification('window/logMessage', (p: { type: number; message: string }) => this.logger.debug({ lsp: p.message }, 'language server log'));
    // Progress, telemetry and server-specific notifications carry nothing Weft uses.
    this.conn.onNotification(() => {});
    this.conn.onError(([err]) => this.logger.debug({ err: errorMessage(err) }, 'language server connection error'));
  }

  /** Sends a request; on timeout or abort sends `$/cancelRequest` and rejects at once. */
  async request<R>(method: string, params: unknown, o: RequestOptions): Promise<R> {
    this.assertAlive();
    this.requests += 1;
    const cts = new CancellationTokenSource();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    let offDeath: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      const cancel = (why: 'timeout' | 'aborted', err: unknown): void => {
        cts.cancel();
        this.cancelled += 1;
        o.onCancel?.(why);
        reject(err);
      };
      timer = setTimeout(
        () =>
          cancel(
            'timeout',
            new LspError(
              'WEFT_LSP_REQUEST_TIMEOUT',
              `Language server "${this.spec.name}" did not answer ${method} within ${o.timeoutMs} ms; the request was cancelled. Raise requestTimeoutMs, or check the server's load.`,
              {
                details: { server: this.spec.name, method, timeoutMs: o.timeoutMs },
              },
            ),
          ),
        o.timeoutMs,
      );
      if (o.signal) {
        onAbort = () => cancel('aborted', o.signal!.reason);
        if (o.signal.aborted) onAbort();
        else o.signal.addEventListener('abort', onAbort, { once: true });
      }
      offDeath = this.onDeath(reject);
    });
    try {
      return await Promise.race([this.conn.sendRequest<R>(method, params, cts.token), stop]);
    } catch (err) {
      if (err instanceof ResponseError) {
        throw new LspError('WEFT_LSP_REQUEST_FAILED', `Language server "${this.spec.name}" failed ${method}: ${err.message} (code ${err.code}).`, {
          cause: err,
          details: { server: this.spec.name, method, code: err.code },
        });
      }
      throw err;
    } finally {
      clearTimeout(timer);
      if (onAbort) o.signal?.removeEventListener('abort', onAbort);
      offDeath?.();
      cts.dispose();
    }
  }

  /** Opens the document, or sends its text when it changed (or `force`); returns the version sent. */
  async sync(uri: string, languageId: string, text: string, force = false): Promise<number> {
    this.assertAlive();
    return this.docs.sync(uri, languageId, text, force);
  }

  async close(uri: string): Promise<void> {
    await this.docs.close(uri, this.state === 'running');
  }

  /** Sequence number of the newest publish, to wait for one after a change. */
  publishSeq(): number {
    return this.published.seq;
  }

  openDocuments(): number {
    return this.docs.size;
  }

  /**
   * Diagnostics of an open document: pulled when the server supports it, else waited for as
   * published (switching to a pull if the server registers it meanwhile, as pyright does at start).
   */
  async diagnostics(uri: string, o: WaitDiagnosticsOptions): Promise<Diagnostic[]> {
    if (!this.pullDiagnostics) {
      this.assertAlive();
      const pushed = await this.published.wait(uri, o, (fn) => this.onDeath(fn));
      if (pushed !== 'pull') return pushed;
    }
    const report = await this.request<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri } }, o);
    return report.kind === 'full' ? report.items : [];
  }

  onExit(fn: (exit: ServerExit) => void): void {
    this.exitListeners.add(fn);
  }

  /** `shutdown` then `exit`; kills the process group when the server does not go in time. */
  async shutdown(): Promise<void> {
    if (this.state === 'exited') {
      this.killGroup();
      return;
    }
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    const timeoutMs = this.options.shutdownTimeoutMs;
    if (wasRunning) {
      try {
        await withTimeout(this.conn.sendRequest('shutdown'), timeoutMs);
        await this.conn.sendNotification('exit');
      } catch (err) {
        this.logger.debug({ err: errorMessage(err) }, 'language server did not shut down cleanly; killing it');
      }
    }
    const exit = await withTimeout(this.exited, wasRunning ? timeoutMs : 0).catch(() => undefined);
    if (exit === undefined) this.logger.warn({ root: this.root }, 'language server ignored shutdown/exit; killed');
    this.killGroup();
    if (exit === undefined) await withTimeout(this.exited, timeoutMs).catch(() => undefined);
  }

  private killGroup(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // ESRCH: nothing of the group is left, which is the goal.
    }
  }

  private die(err: LspError): void {
    this.deathError = err;
    for (const l of this.deathListeners) l(err);
    this.deathListeners.clear();
  }

  private onDeath(fn: (err: LspError) => void): () => void {
    if (this.deathError) {
      fn(this.deathError);
      return () => {};
    }
    this.deathListeners.add(fn);
    return () => this.deathListeners.delete(fn);
  }

  private assertAlive(): void {
    if (this.deathError) throw this.deathError;
    if (this.state === 'exited' || this.state === 'stopping') {
      throw new LspError('WEFT_LSP_SERVER_CRASHED', `Language server "${this.spec.name}" (pid ${this.pid}) is ${this.state}; retry to start a new one.`, {
        details: { server: this.spec.name, pid: this.pid },
      });
    }
  }

  private stderrHint(): string {
    const line = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
    return line === '' ? '' : `; stderr: ${line.slice(-400)}`;
  }
}

export function unavailable(spec: ServerSpec, why: string, cause?: unknown): LspError<'WEFT_LSP_SERVER_UNAVAILABLE'> {
  return new LspError(
    'WEFT_LSP_SERVER_UNAVAILABLE',
    `Language server "${spec.name}" (for ${spec.languages.join(', ')}) cannot start: ${why}. Install it (${spec.install}) or configure servers.${spec.name}.command.`,
    { cause, details: { server: spec.name, languages: spec.languages, install: spec.install } },
  );
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
