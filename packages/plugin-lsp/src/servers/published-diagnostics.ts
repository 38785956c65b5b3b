/**
 * The diagnostics a language server published, by document, numbered in order of arrival; and
 * the wait for a publish newer than a given one.
 */
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { LspError } from '../errors.js';
import type { Published, WaitDiagnosticsOptions } from './server-types.js';

export class PublishedDiagnostics {
  private readonly published = new Map<string, Published>();
  private last = 0;
  private readonly publishListeners = new Set<(uri: string) => void>();
  private readonly pullListeners = new Set<() => void>();

  constructor(private readonly serverName: string) {}

  /** Sequence number of the newest publish, to wait for one after a change. */
  get seq(): number {
    return this.last;
  }

  publish(p: PublishDiagnosticsParams): void {
    this.last += 1;
    this.published.set(p.uri, { seq: this.last, version: p.version, diagnostics: p.diagnostics });
    for (const l of this.publishListeners) l(p.uri);
  }

  /** The server now answers pulls: a wait in progress resolves with 'pull'. */
  pullRegistered(): void {
    for (const l of this.pullListeners) l();
  }

  forget(uri: string): void {
    this.published.delete(uri);
  }

  /**
   * Waits for diagnostics published after `afterSeq` for `minVersion` or later, then for
   * `settleMs` of quiet, since servers may publish an early (often empty) list first.
   */
  wait(uri: string, o: WaitDiagnosticsOptions, onDeath: (fn: (err: LspError) => void) => () => void): Promise<Diagnostic[] | 'pull'> {
    return new Promise((resolve, reject) => {
      const onPull = (): void => done(() => resolve('pull'));
      let settle: NodeJS.Timeout | undefined;
      let latest: Published | undefined;
      const done = (fn: () => void): void => {
        clearTimeout(settle);
        clearTimeout(timeout);
        this.publishListeners.delete(check);
        this.pullListeners.delete(onPull);
        offDeath();
        if (onAbort) o.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const check = (u: string): void => {
        if (u !== uri) return;
        const p = this.published.get(uri);
        if (p === undefined || p.seq <= o.afterSeq || (p.version !== undefined && p.version < o.minVersion)) return;
        latest = p;
        clearTimeout(settle);
        settle = setTimeout(() => done(() => resolve(latest!.diagnostics)), o.settleMs);
      };
      const timeout = setTimeout(() => {
        o.onCancel?.('timeout');
        done(() =>
          reject(
            new LspError(
              'WEFT_LSP_REQUEST_TIMEOUT',
              `Language server "${this.serverName}" published no diagnostics for ${uri} within ${o.timeoutMs} ms. Raise requestTimeoutMs, or check the file is part of the server's project.`,
              {
                details: { server: this.serverName, uri, timeoutMs: o.timeoutMs },
              },
            ),
          ),
        );
      }, o.timeoutMs);
      const onAbort = o.signal
        ? (): void => {
            o.onCancel?.('aborted');
            done(() => reject(o.signal!.reason));
          }
        : undefined;
      const offDeath = onDeath((err) => done(() => reject(err)));
      this.publishListeners.add(check);
      this.pullListeners.add(onPull);
      if (o.signal?.aborted) onAbort!();
      else if (onAbort) o.signal!.addEventListener('abort', onAbort, { once: true });
      check(uri);
    });
  }
}
