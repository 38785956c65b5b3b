/** Turns LSP results into plain JSON that a pipeline can pass on: names instead of enums, flat lists. */
import type {
  Diagnostic,
  DocumentSymbol,
  Hover,
  Location,
  LocationLink,
  MarkedString,
  MarkupContent,
  Range,
  SymbolInformation,
} from 'vscode-languageserver-protocol';
import type { SeverityName } from '../handlers/input-schemas.js';

export interface JsonRange {
  /** Zero-based start line and character, end exclusive, as in LSP. */
  readonly line: number;
  readonly character: number;
  readonly endLine: number;
  readonly endCharacter: number;
}

export interface JsonDiagnostic extends JsonRange {
  readonly severity: SeverityName;
  readonly message: string;
  readonly code?: string | number;
  readonly source?: string;
}

export interface JsonLocation extends JsonRange {
  /** Relative to the task's root, or absolute when `external` (a library's declaration file). */
  readonly file: string;
  readonly external: boolean;
}

export interface JsonSymbol extends JsonRange {
  readonly name: string;
  /** `function`, `class`, `variable`… */
  readonly kind: string;
  readonly detail?: string;
  /** Name of the enclosing symbol, when there is one. */
  readonly container?: string;
}

const SEVERITY: Record<number, SeverityName> = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };
export const SEVERITY_RANK: Record<SeverityName, number> = { error: 1, warning: 2, information: 3, hint: 4 };

// Indexed by LSP SymbolKind (1-based).
const SYMBOL_KINDS = [
  '',
  'file',
  'module',
  'namespace',
  'package',
  'class',
  'method',
  'property',
  'field',
  'constructor',
  'enum',
  'interface',
  'function',
  'variable',
  'constant',
  'string',
  'number',
  'boolean',
  'array',
  'object',
  'key',
  'null',
  'enumMember',
  'struct',
  'event',
  'operator',
  'typeParameter',
];

export function range(r: Range): JsonRange {
  return { line: r.start.line, character: r.start.character, endLine: r.end.line, endCharacter: r.end.character };
}

export function diagnostic(d: Diagnostic): JsonDiagnostic {
  return {
    severity: SEVERITY[d.severity ?? 1] ?? 'error',
    message: typeof d.message === 'string' ? d.message : d.message.value,
    ...range(d.range),
    ...(d.code === undefined ? {} : { code: d.code }),
    ...(d.source === undefined ? {} : { source: d.source }),
  };
}

export function hoverText(h: Hover | null): string | null {
  if (h === null || h.contents === undefined) return null;
  const parts = Array.isArray(h.contents) ? h.contents : [h.contents];
  const text = parts
    .map((p: MarkedString | MarkupContent): string => {
      if (typeof p === 'string') return p;
      return 'language' in p ? `\`\`\`${p.language}\n${p.value}\n\`\`\`` : p.value;
    })
    .join('\n\n')
    .trim();
  return text === '' ? null : text;
}

/** Normalises every shape `definition`/`references` may answer with to uri + range pairs. */
export function locations(result: Location | Location[] | LocationLink[] | null): { uri: string; range: Range }[] {
  if (result === null) return [];
  const list: (Location | LocationLink)[] = Array.isArray(result) ? result : [result];
  return list.map((l) => ('targetUri' in l ? { uri: l.targetUri, range: l.targetSelectionRange } : { uri: l.uri, range: l.range }));
}

export function symbols(result: readonly (DocumentSymbol | SymbolInformation)[] | null): JsonSymbol[] {
  if (result === null) return [];
  const out: JsonSymbol[] = [];
  const walk = (s: DocumentSymbol, container: string | undefined): void => {
    out.push({
      name: s.name,
      kind: SYMBOL_KINDS[s.kind] ?? 'unknown',
      ...range(s.selectionRange),
      ...(s.detail ? { detail: s.detail } : {}),
      ...(container === undefined ? {} : { container }),
    });
    for (const c of s.children ?? []) walk(c, s.name);
  };
  for (const s of result) {
    if ('location' in s)
      out.push({
        name: s.name,
        kind: SYMBOL_KINDS[s.kind] ?? 'unknown',
        ...range(s.location.range),
        ...(s.containerName ? { container: s.containerName } : {}),
      });
    else walk(s, undefined);
  }
  return out;
}
