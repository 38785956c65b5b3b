/** What the bridge's calls take and return: plain JSON a pipeline can pass on. */
import type { Span } from '@opentelemetry/api';
import type { SeverityName } from '../handlers/input-schemas.js';
import type { JsonDiagnostic, JsonLocation, JsonRange, JsonSymbol } from './to-json.js';

/** Per-call options: the task's signal, and its span to annotate. */
export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly span?: Span;
}

export interface FileResult {
  /** Path relative to the task's root. */
  readonly file: string;
  readonly language: string;
  readonly server: string;
}

export interface DiagnosticsResult extends FileResult {
  readonly diagnostics: JsonDiagnostic[];
  readonly counts: Record<SeverityName, number>;
}

export interface HoverResult extends FileResult {
  /** Markdown or plain text; null when the server has nothing at that position. */
  readonly contents: string | null;
  readonly range?: JsonRange;
}

export interface LocationsResult extends FileResult {
  readonly locations: JsonLocation[];
}

export interface SymbolsResult extends FileResult {
  readonly symbols: JsonSymbol[];
}

export interface ScanResult {
  readonly files: { file: string; language: string }[];
  /** Files by language, with every known language present (an empty list when none). */
  readonly byLanguage: Record<string, string[]>;
  /** Languages found, most files first. */
  readonly languages: string[];
  /** True when maxFiles cut the walk short. */
  readonly truncated: boolean;
}
