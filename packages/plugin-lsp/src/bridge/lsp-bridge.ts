/**
 * The LanguageBridge: resolves a task's paths inside the sandbox, picks the language and its
 * server, keeps the document in sync and turns the server's answers into plain JSON.
 */
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, type LanguageBridge, type Logger } from '@weft/engine';
import type { DocumentSymbol, Hover, Location, LocationLink, SymbolInformation } from 'vscode-languageserver-protocol';
import { resolveLspConfig, type LspConfig, type LspConfigInput } from '../config.js';
import { LspError } from '../errors.js';
import {
  diagnosticsInputSchema,
  referencesInputSchema,
  scanInputSchema,
  type DiagnosticsInput,
  type FileInput,
  type PositionInput,
  type ReferencesInput,
  type ScanInput,
  type SeverityName,
} from '../handlers/input-schemas.js';
import { LanguageTable } from '../languages/language-table.js';
import { installationOf, type Installation } from '../sandbox/installation.js';
import { isInside, realRoot, resolveInRoot } from '../sandbox/resolve-in-root.js';
import { createSandbox } from '../sandbox/server-sandbox.js';
import type { LanguageServer } from '../servers/language-server.js';
import { ServerManager, type ServerInfo } from '../servers/server-manager.js';
import { tsserverDiagnostics } from '../servers/tsserver-diagnostics.js';
import { serverSpecs, unavailableReason, type ServerSpec } from '../servers/server-spec.js';
import { LspAttr, LspEvents } from '../telemetry-attributes.js';
import type { CallOptions, DiagnosticsResult, FileResult, HoverResult, LocationsResult, ScanResult, SymbolsResult } from './bridge-results.js';
import { TargetResolver, type Target } from './task-target.js';
import { diagnostic, hoverText, locations, range, SEVERITY_RANK, symbols } from './to-json.js';
import { listFiles, readFirstLine } from './workspace-scan.js';

export type { CallOptions, DiagnosticsResult, HoverResult, LocationsResult, ScanResult, SymbolsResult } from './bridge-results.js';

export class LspBridge implements LanguageBridge {
  readonly name = '@weft/plugin-lsp';
  /** Real path of the sandbox every task path must stay inside. */
  readonly workspaceRoot: string;
  readonly config: LspConfig;
  private readonly table: LanguageTable;
  private readonly specs: ServerSpec[];
  private readonly targets: TargetResolver;
  private readonly manager: ServerManager;
  private readonly logger: Logger;
  private readonly installations = new Map<string, Installation>();

  constructor(config: LspConfigInput | LspConfig = {}, logger: Logger = silentLogger()) {
    this.config = resolveLspConfig(config);
    this.logger = logger;
    const root = this.config.workspaceRoot ?? process.cwd();
    try {
      this.workspaceRoot = realRoot(root);
    } catch (cause) {
      throw new LspError('WEFT_LSP_FILE_NOT_FOUND', `The workspaceRoot "${root}" does not exist. Set the plugin's workspaceRoot to an existing directory.`, {
        cause,
        details: { workspaceRoot: root },
      });
    }
    this.table = new LanguageTable(this.config.languages);
    this.specs = serverSpecs(this.config.servers);
    this.targets = new TargetResolver(this.workspaceRoot, this.table, this.specs);
    this.manager = new ServerManager({ ...this.config, logger, sandbox: createSandbox(this.config, this.workspaceRoot) });
  }

  /** Languages whose server this process can start; a worker advertises them as `lang:<id>`. */
  languages(): readonly string[] {
    return [...new Set(this.specs.filter((s) => unavailableReason(s) === undefined).flatMap((s) => s.languages))];
  }

  detectLanguage(filePath: string, firstLine?: string): string | undefined {
    return this.table.detect(filePath, firstLine);
  }

  /** `['lang:<id>']` for a file (reading its shebang when the extension says nothing), for a step's capabilities. */
  capabilitiesFor(filePath: string): string[] {
    const language = this.table.detect(filePath) ?? this.table.detect(filePath, readFirstLine(this.targets.resolveFile(filePath, this.workspaceRoot).abs));
    return language === undefined ? [] : [languageCapability(language)];
  }

  /** Live servers with their pids, for status pages and tests. */
  servers(): ServerInfo[] {
    return this.manager.servers();
  }

  async diagnostics(input: DiagnosticsInput, o: CallOptions = {}): Promise<DiagnosticsResult> {
    const { minSeverity } = diagnosticsInputSchema.parse(input);
    const t = await this.targets.target(input);
    const method = t.spec.diagnostics === 'tsserver' ? 'typescript.tsserverRequest' : 'textDocument/diagnostic';
    const raw = await this.withServer(t, method, o, async (server) => {
      const timing = { timeoutMs: input.timeoutMs ?? this.config.requestTimeoutMs, ...this.cancelHooks(server, method, o) };
      if (t.spec.diagnostics === 'tsserver') {
        await server.sync(t.uri, t.documentLanguageId, t.text);
        return tsserverDiagnostics(server, t.uri, minSeverity === 'hint', timing);
      }
      const afterSeq = server.publishSeq();
      // Sent even when the text is unchanged: a file's errors also depend on the files it imports.
      const version = await server.sync(t.uri, t.documentLanguageId, t.text, true);
      return server.diagnostics(t.uri, { afterSeq, minVersion: version, settleMs: this.config.diagnosticsSettleMs, ...timing });
    });
    const all = raw.map(diagnostic);
    const diagnostics = all.filter((d) => SEVERITY_RANK[d.severity] <= SEVERITY_RANK[minSeverity]);
    const counts: Record<SeverityName, number> = { error: 0, warning: 0, information: 0, hint: 0 };
    for (const d of diagnostics) counts[d.severity] += 1;
    o.span?.setAttribute(LspAttr.RESULT_COUNT, diagnostics.length);
    return { ...this.fileResult(t), diagnostics, counts };
  }

  async hover(input: PositionInput, o: CallOptions = {}): Promise<HoverResult> {
    const t = await this.targets.target(input);
    const h = await this.request<Hover | null>(t, 'textDocument/hover', { textDocument: { uri: t.uri }, position: input.position }, o);
    const contents = hoverText(h);
    return { ...this.fileResult(t), contents, ...(h?.range ? { range: range(h.range) } : {}) };
  }

  async definition(input: PositionInput, o: CallOptions = {}): Promise<LocationsResult> {
    const t = await this.targets.target(input);
    const res = await this.request<Location | Location[] | LocationLink[] | null>(
      t,
      'textDocument/definition',
      { textDocument: { uri: t.uri }, position: input.position },
      o,
    );
    return this.locationsResult(t, res, o);
  }

  async references(input: ReferencesInput, o: CallOptions = {}): Promise<LocationsResult> {
    const { includeDeclaration } = referencesInputSchema.parse(input);
    const t = await this.targets.target(input);
    const res = await this.request<Location[] | null>(
      t,
      'textDocument/references',
      { textDocument: { uri: t.uri }, position: input.position, context: { includeDeclaration } },
      o,
    );
    return this.locationsResult(t, res, o);
  }

  async symbols(input: FileInput, o: CallOptions = {}): Promise<SymbolsResult> {
    const t = await this.targets.target(input);
    const res = await this.request<DocumentSymbol[] | SymbolInformation[] | null>(t, 'textDocument/documentSymbol', { textDocument: { uri: t.uri } }, o);
    // Symbols a server reports in another file (SymbolInformation carries a uri) are dropped like locations.
    const list = symbols(res?.filter((s) => !('location' in s) || this.place(t, s.location.uri) !== undefined) ?? null);
    o.span?.setAttribute(LspAttr.RESULT_COUNT, list.length);
    return { ...this.fileResult(t), symbols: list };
  }

  /** Walks a directory inside the sandbox and detects each file's language; starts no server. */
  async scan(input: ScanInput = {}, o: CallOptions = {}): Promise<ScanResult> {
    const { dir, maxFiles, ignore } = scanInputSchema.parse(input);
    const root = this.targets.resolveRoot(input.root);
    const start = resolveInRoot(this.workspaceRoot, dir, root, 'directory');
    const { files, truncated } = await listFiles(root, start.abs, {
      maxFiles,
      skip: new Set(ignore),
      detect: (p) => this.table.detect(p) ?? this.table.detect(p, readFirstLine(p)),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const byLanguage: Record<string, string[]> = Object.fromEntries([...this.knownLanguages()].map((l) => [l, [] as string[]]));
    for (const f of files) (byLanguage[f.language] ??= []).push(f.file);
    const languages = Object.entries(byLanguage)
      .filter(([, list]) => list.length > 0)
      .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
      .map(([l]) => l);
    return { files, byLanguage, languages, truncated };
  }

  async close(): Promise<void> {
    await this.manager.close();
  }

  private knownLanguages(): Set<string> {
    return new Set([...this.specs.flatMap((s) => s.languages), ...Object.keys(this.config.languages), 'typescript', 'javascript', 'python']);
  }

  private fileResult(t: Target): FileResult {
    return { file: t.rel, language: t.language, server: t.spec.name };
  }

  private async withServer<T>(t: Target, method: string, o: CallOptions, fn: (server: LanguageServer) => Promise<T>): Promise<T> {
    o.span?.setAttributes({ [LspAttr.LANGUAGE]: t.language, [LspAttr.SERVER]: t.spec.name, [LspAttr.METHOD]: method, [LspAttr.FILE]: t.rel });
    return this.manager.use(t.spec, t.root, o.signal, async (server, cold) => {
      o.span?.setAttributes({ [LspAttr.SERVER_PID]: server.pid, [LspAttr.COLD_START]: cold });
      if (cold) o.span?.addEvent(LspEvents.SERVER_START, { [LspAttr.SERVER]: t.spec.name, [LspAttr.SERVER_PID]: server.pid });
      return fn(server);
    });
  }

  private request<R>(t: Target, method: string, params: unknown, o: CallOptions): Promise<R> {
    return this.withServer(t, method, o, async (server) => {
      await server.sync(t.uri, t.documentLanguageId, t.text);
      return server.request<R>(method, params, { timeoutMs: t.timeoutMs ?? this.config.requestTimeoutMs, ...this.cancelHooks(server, method, o) });
    });
  }

  private cancelHooks(server: LanguageServer, method: string, o: CallOptions): { signal?: AbortSignal; onCancel: (why: 'timeout' | 'aborted') => void } {
    return {
      ...(o.signal === undefined ? {} : { signal: o.signal }),
      onCancel: (why) => {
        o.span?.addEvent(LspEvents.REQUEST_CANCELLED, { [LspAttr.METHOD]: method, [LspAttr.SERVER]: server.spec.name, reason: why });
        this.logger.debug({ server: server.spec.name, method, why }, 'language server request cancelled');
      },
    };
  }

  private locationsResult(t: Target, res: Location | Location[] | LocationLink[] | null, o: CallOptions): LocationsResult {
    const list = locations(res).flatMap(({ uri, range: r }) => {
      const place = this.place(t, uri);
      return place === undefined ? [] : [{ ...place, ...range(r) }];
    });
    o.span?.setAttribute(LspAttr.RESULT_COUNT, list.length);
    return { ...this.fileResult(t), locations: list };
  }

  /**
   * Where a result points, as a task may see it: inside the workspace root (relative to the
   * task's root), or in the server's own installation (a library's declaration file, absolute and
   * `external`). Anything else is dropped: a server must not be a way to learn about files
   * outside the sandbox.
   */
  private place(t: Target, uri: string): { file: string; external: boolean } | undefined {
    const abs = uriToPath(uri);
    if (abs === undefined) return undefined;
    if (isInside(this.workspaceRoot, abs)) return { file: relative(t.root, abs).split(sep).join('/'), external: false };
    if (this.installation(t.spec).packages.some((pkg) => isInside(pkg, abs))) return { file: abs, external: true };
    this.logger.debug({ server: t.spec.name }, 'dropped a result located outside the workspace root');
    return undefined;
  }

  private installation(spec: ServerSpec): Installation {
    let inst = this.installations.get(spec.name);
    if (inst === undefined) this.installations.set(spec.name, (inst = installationOf(spec.readPaths)));
    return inst;
  }
}

/** The capability a worker offers, and a step asks for, to serve a language. */
export function languageCapability(language: string): string {
  return `lang:${language}`;
}

function uriToPath(uri: string): string | undefined {
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}
