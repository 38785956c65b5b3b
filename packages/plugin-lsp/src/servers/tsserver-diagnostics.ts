/**
 * Diagnostics asked of tsserver directly (through typescript-language-server's
 * `typescript.tsserverRequest` command) instead of waited for: its pushed lists arrive in phases
 * (syntax, then semantic seconds later on a cold project), so no quiet period is safe to trust.
 */
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspError } from '../errors.js';
import type { LanguageServer, RequestOptions } from './language-server.js';

interface TsDiagnostic {
  readonly start: { line: number; offset: number };
  readonly end: { line: number; offset: number };
  readonly text: string;
  readonly code: number;
  readonly category: string;
  readonly source?: string;
}

interface TsResponse {
  readonly success: boolean;
  readonly message?: string;
  readonly body?: TsDiagnostic[];
}

// LSP DiagnosticSeverity: 1 error, 2 warning, 3 information, 4 hint.
const SEVERITY: Record<string, 1 | 2 | 3 | 4> = { error: 1, warning: 2, message: 3, suggestion: 4 };

export async function tsserverDiagnostics(server: LanguageServer, uri: string, withSuggestions: boolean, o: RequestOptions): Promise<Diagnostic[]> {
  const commands = ['syntacticDiagnosticsSync', 'semanticDiagnosticsSync', ...(withSuggestions ? ['suggestionDiagnosticsSync'] : [])];
  const out: Diagnostic[] = [];
  for (const command of commands) {
    const res = await server.request<TsResponse | null>(
      'workspace/executeCommand',
      { command: 'typescript.tsserverRequest', arguments: [command, { file: uri }] },
      o,
    );
    if (res === null || !res.success) {
      throw new LspError('WEFT_LSP_REQUEST_FAILED', `Language server "${server.spec.name}" failed ${command} for ${uri}: ${res?.message ?? 'no response'}.`, {
        details: { server: server.spec.name, command, uri },
      });
    }
    for (const d of res.body ?? []) {
      out.push({
        range: { start: { line: d.start.line - 1, character: d.start.offset - 1 }, end: { line: d.end.line - 1, character: d.end.offset - 1 } },
        severity: SEVERITY[d.category] ?? 1,
        code: d.code,
        source: d.source ?? 'typescript',
        message: d.text,
      });
    }
  }
  return out;
}
