/** The shapes a language-server connection is configured and observed with. */
import type { Logger } from '@weft/engine';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { Launch } from '../sandbox/server-sandbox.js';
import type { ServerSpec } from './server-spec.js';

export interface LanguageServerOptions {
  readonly spec: ServerSpec;
  /** The command line that starts it (the spec's own, or the sandbox's around it). */
  readonly launch: Launch;
  /** Real path of the workspace root the server is started for. */
  readonly root: string;
  readonly logger: Logger;
  readonly startTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly maxOpenDocuments: number;
}

export interface RequestOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Called when the request is cancelled (timeout or abort), after `$/cancelRequest` is sent. */
  readonly onCancel?: (why: 'timeout' | 'aborted') => void;
}

export interface WaitDiagnosticsOptions extends RequestOptions {
  /** Only a publish newer than this sequence number counts. */
  readonly afterSeq: number;
  /** Only a publish for this document version or later counts (when the server sends versions). */
  readonly minVersion: number;
  readonly settleMs: number;
}

export interface ServerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** False when the exit followed our own shutdown. */
  readonly unexpected: boolean;
}

export type ServerState = 'starting' | 'running' | 'stopping' | 'exited';

export interface Published {
  readonly seq: number;
  readonly version: number | undefined;
  readonly diagnostics: Diagnostic[];
}
