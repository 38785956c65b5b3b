/**
 * The parent's side of one sandbox, a worker thread or a child process, running one request at a
 * time. An abort (timeout, cancellation) terminates it; so does its memory cap. A dead sandbox
 * answers nothing more: its pool starts another.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NonRetryableError, WeftError } from '../errors.js';
import { isDataCloneError, uncloneablePath } from './clone-path.js';
import type { SandboxNote } from './sandbox-notes.js';
import { uncloneableError, type SandboxError, type SandboxReply, type SandboxRequest } from './sandbox-protocol.js';

export type IsolateMode = 'thread' | 'process';

export interface SandboxOptions {
  readonly mode: IsolateMode;
  /** Heap cap in MB (old generation), or none. */
  readonly memoryMb?: number;
}

interface Running {
  readonly req: SandboxRequest;
  readonly onNote: ((note: SandboxNote) => void) | undefined;
  resolve(output: unknown): void;
  reject(err: unknown): void;
}

/** The entry to start: the built `.js`, or from sources (tests) the `.ts` through tsx. */
function entry(name: 'thread-entry' | 'process-entry'): { url: URL; ts: boolean } {
  const js = new URL(`./${name}.js`, import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js, ts: false };
  return { url: new URL(`./${name}.ts`, import.meta.url), ts: true };
}

function tsxApi(): string {
  return pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
}

export class Sandbox {
  private readonly thread: Worker | undefined;
  private readonly child: ChildProcess | undefined;
  private running: Running | undefined;
  private stderrTail = '';
  private exitError: Error | undefined;
  /** False once it exited or was terminated. */
  alive = true;

  constructor(private readonly options: SandboxOptions) {
    if (options.mode === 'thread') {
      const { url, ts } = entry('thread-entry');
      const resourceLimits = options.memoryMb === undefined ? undefined : { maxOldGenerationSizeMb: options.memoryMb };
      const w = ts
        ? new Worker(`import(${JSON.stringify(tsxApi())}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, {
            eval: true,
            ...(resourceLimits ? { resourceLimits } : {}),
          })
        : new Worker(url, resourceLimits ? { resourceLimits } : {});
      w.on('message', (msg: SandboxReply | SandboxNote) => this.received(msg));
      w.on('error', (err: Error & { code?: string }) => {
        this.exitError = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? this.memoryError() : this.crashError(err.message);
      });
      w.on('exit', (code) => this.exited(`exit code ${code}`));
      w.unref();
      this.thread = w;
    } else {
      const { url, ts } = entry('process-entry');
      const execArgv = [...(ts ? ['--import', 'tsx'] : []), ...(options.memoryMb === undefined ? [] : [`--max-old-space-size=${options.memoryMb}`])];
      const c = fork(fileURLToPath(url), [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
      // Kept, not forwarded: on its memory cap the child prints V8's fatal report, which the typed error replaces.
      c.stderr?.on('data', (d: Buffer) => {
        this.stderrTail = (this.stderrTail + d.toString()).slice(-4096);
      });
      c.on('message', (msg: SandboxReply | SandboxNote) => this.received(msg));
      c.on('error', (err) => (this.exitError ??= this.crashError(err.message)));
      c.on('exit', (code, signal) => {
        if (!this.exitError && /heap out of memory|Reached heap limit/i.test(this.stderrTail)) this.exitError = this.memoryError();
        this.exited(signal ? `signal ${signal}` : `exit code ${code}`);
      });
      c.unref();
      c.channel?.unref();
      this.child = c;
    }
  }

  /**
   * Runs one request; rejects with the signal's reason on abort, after terminating the sandbox.
   * `onNote` receives the handler's logs and span calls while it runs.
   */
  run(req: SandboxRequest, signal: AbortSignal, onNote?: (note: SandboxNote) => void): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = (): void => {
        this.settle()?.reject(signal.reason);
        this.terminate();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const done = (): void => signal.removeEventListener('abort', onAbort);
      this.running = {
        req,
        onNote,
        resolve: (v) => (done(), resolve(v)),
        reject: (e) => (done(), reject(e)),
      };
      this.ref(true);
      try {
        if (this.thread) this.thread.postMessage(req);
        else this.child!.send(req);
      } catch (err) {
        const failed = this.settle();
        if (isDataCloneError(err)) failed?.reject(rebuild(uncloneableError(uncloneablePath(req.input, 'input') ?? 'input', err)));
        else failed?.reject(this.crashError(err instanceof Error ? err.message : String(err)));
      }
    });
  }

  terminate(): void {
    if (!this.alive) return;
    this.alive = false;
    if (this.thread) void this.thread.terminate();
    else this.child!.kill('SIGKILL');
  }

  /** A running request keeps the process alive; an idle sandbox does not. */
  private ref(on: boolean): void {
    const h = this.thread ?? this.child!;
    if (on) h.ref();
    else h.unref();
    if (on) this.child?.channel?.ref();
    else this.child?.channel?.unref();
  }

  private settle(): Running | undefined {
    const r = this.running;
    this.running = undefined;
    this.ref(false);
    return r;
  }

  private received(msg: SandboxReply | SandboxNote): void {
    if (!('note' in msg)) return this.answer(msg);
    if (this.running?.req.id === msg.id) this.running.onNote?.(msg);
  }

  private answer(reply: SandboxReply): void {
    if (this.running?.req.id !== reply.id) return;
    const r = this.settle()!;
    if (reply.ok) r.resolve(reply.output);
    else r.reject(rebuild(reply.error));
  }

  private exited(how: string): void {
    this.alive = false;
    this.settle()?.reject(this.exitError ?? this.crashError(`it exited (${how})`));
  }

  private memoryError(): WeftError {
    const mb = this.options.memoryMb;
    return new WeftError(
      'WEFT_TASK_MEMORY_LIMIT',
      `The isolated handler ran out of its ${mb ?? 'default'} MB heap cap in its ${this.options.mode}; the ${this.options.mode} was replaced. Raise memoryMb or make the handler use less memory.`,
      { retryable: false, details: { memoryMb: mb, isolate: this.options.mode } },
    );
  }

  private crashError(why: string): WeftError {
    return new WeftError(
      'WEFT_SANDBOX_CRASHED',
      `The isolated handler's ${this.options.mode} stopped before answering: ${why}. A new one serves the next task.`,
      {
        details: { isolate: this.options.mode },
      },
    );
  }
}

/** A sandbox's error as the caller sees it: a WeftError with its code, or a NonRetryableError. */
function rebuild(e: SandboxError): Error {
  if (e.code !== undefined) {
    return new WeftError(e.code, e.message, { ...(e.retryable === undefined ? {} : { retryable: e.retryable }), ...(e.details ? { details: e.details } : {}) });
  }
  if (e.retryable === false) return new NonRetryableError(e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
