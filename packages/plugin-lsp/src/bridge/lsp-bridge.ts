/**
 * The LanguageBridge: resolves a task's paths inside the sandbox, picks the language and its
 * server, keeps the document in sync and turns the server's answers into plain JSON.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Span } from '@opentelemetry/api';
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
import {
  diagnostic,
  hoverText,
  locations,
  range,
  SEVERITY_RANK,
  symbols,
  type JsonDiagnostic,
  type JsonLocation,
  type JsonRange,
  type JsonSymbol,
} from './to-json.js';

/** Per-call options: the task's signal, and its span to annotate. */
export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly span?: Span;
}

interface FileResult {
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

interface Target {
  readonly root: string;
  readonly abs: string;
  readonly rel: string;
  readonly uri: string;
  readonly language: string;
  readonly documentLanguageId: string;
  readonly spec: ServerSpec;
  readonly text: string;
  readonly timeoutMs?: number;
}

export class LspBridge implements LanguageBridge {
  readonly name = '@weft/plugin-lsp';
  /** Real path of the sandbox every task path must stay inside. */
  readonly workspaceRoot: string;
  readonly config: LspConfig;
  private readonly table: LanguageTable;
  private readonly specs: ServerSpec[];
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
    const language = this.table.detect(filePath) ?? this.table.detect(filePath, readFirstLine(this.resolveFile(filePath, this.workspaceRoot).abs));
    return language === undefined ? [] : [languageCapability(language)];
  }

  /** Live servers with their pids, for status pages and tests. */
  servers(): ServerInfo[] {
    return this.manager.servers();
  }

  async diagnostics(input: DiagnosticsInput, o: CallOptions = {}): Promise<DiagnosticsResult> {
    const { minSeverity } = diagnosticsInputSchema.parse(input);
    const t = await this.target(input);
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
    const t = await this.target(input);
    const h = await this.request<Hover | null>(t, 'textDocument/hover', { textDocument: { uri: t.uri }, position: input.position }, o);
    const contents = hoverText(h);
    return { ...this.fileResult(t), contents, ...(h?.range ? { range: range(h.range) } : {}) };
  }

  async definition(input: PositionInput, o: CallOptions = {}): Promise<LocationsResult> {
    const t = await this.target(input);
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
    const t = await this.target(input);
    const res = await this.request<Location[] | null>(
      t,
      'textDocument/references',
      { textDocument: { uri: t.uri }, position: input.position, context: { includeDeclaration } },
      o,
    );
    return this.locationsResult(t, res, o);
  }

  async symbols(input: FileInput, o: CallOptions = {}): Promise<SymbolsResult> {
    const t = await this.target(input);
    const res = await this.request<DocumentSymbol[] | SymbolInformation[] | null>(t, 'textDocument/documentSymbol', { textDocument: { uri: t.uri } }, o);
    // Symbols a server reports in another file (SymbolInformation carries a uri) are dropped like locations.
    const list = symbols(res?.filter((s) => !('location' in s) || this.place(t, s.location.uri) !== undefined) ?? null);
    o.span?.setAttribute(LspAttr.RESULT_COUNT, list.length);
    return { ...this.fileResult(t), symbols: list };
  }

  /** Walks a directory inside the sandbox and detects each file's language; starts no server. */
  async scan(input: ScanInput = {}, o: CallOptions = {}): Promise<ScanResult> {
    const { dir, maxFiles, ignore } = scanInputSchema.parse(input);
    const root = this.resolveRoot(input.root);
    const start = resolveInRoot(this.workspaceRoot, dir, root, 'directory');
    const skip = new Set(ignore);
    const files: { file: string; language: string }[] = [];
    let truncated = false;
    const walk = async (abs: string): Promise<void> => {
      const entries = (await readdir(abs, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
      for (const e of entries) {
        if (o.signal?.aborted) throw o.signal.reason;
        if (files.length >= maxFiles) {
          truncated = true;
          return;
        }
        const p = join(abs, e.name);
        // Symlinks are not followed: they could lead out of the sandbox or loop.
        if (e.isDirectory() && !skip.has(e.name)) await walk(p);
        else if (e.isFile()) {
          const language = this.table.detect(p) ?? this.table.detect(p, readFirstLine(p));
          if (language !== undefined) files.push({ file: relative(root, p).split(sep).join('/'), language });
        }
      }
    };
    await walk(start.abs);
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

  private resolveRoot(root: string | undefined): string {
    if (root === undefined) return this.workspaceRoot;
    const r = resolveInRoot(this.workspaceRoot, root, this.workspaceRoot, 'root');
    if (!r.exists || !statSync(r.abs).isDirectory()) {
      throw new LspError(
        'WEFT_LSP_FILE_NOT_FOUND',
        `The root "${root}" is not a directory inside the workspace root ${this.workspaceRoot}. Give an existing project directory.`,
        {
          details: { root, workspaceRoot: this.workspaceRoot },
        },
      );
    }
    return r.abs;
  }

  private resolveFile(file: string, root: string): { abs: string; rel: string; exists: boolean } {
    const r = resolveInRoot(this.workspaceRoot, file, root, 'file');
    return { abs: r.abs, rel: relative(root, r.abs).split(sep).join('/'), exists: r.exists };
  }

  private async target(input: FileInput): Promise<Target> {
    const root = this.resolveRoot(input.root);
    const f = this.resolveFile(input.file, root);
    let text = input.text;
    if (text === undefined) {
      if (!f.exists) {
        throw new LspError('WEFT_LSP_FILE_NOT_FOUND', `The file "${input.file}" does not exist in ${root}. Fix the path, or pass its content as "text".`, {
          details: { file: input.file, root },
        });
      }
      text = await readFile(f.abs, 'utf8');
    }
    const language = input.language ?? this.table.detect(f.abs, text.split('\n', 1)[0]);
    if (language === undefined) {
      throw new LspError(
        'WEFT_LSP_LANGUAGE_UNKNOWN',
        `Cannot tell the language of "${f.rel}" from its extension or shebang. Pass "language" in the task input, or add its extension under the plugin's languages config.`,
        {
          details: { file: f.rel },
        },
      );
    }
    const spec = this.specs.find((s) => s.languages.includes(language));
    if (spec === undefined) {
      throw new LspError(
        'WEFT_LSP_LANGUAGE_UNKNOWN',
        `No language server is configured for ${language} (file "${f.rel}"). Add one under the plugin's servers config, e.g. servers.<name> = { command, args, languages: ["${language}"] }.`,
        {
          details: { file: f.rel, language },
        },
      );
    }
    return {
      root,
      abs: f.abs,
      rel: f.rel,
      uri: pathToFileURL(f.abs).href,
      language,
      documentLanguageId: this.table.documentLanguageId(f.abs, language),
      spec,
      text,
      ...(input.timeoutMs === undefined ? {} : { timeoutMs: input.timeoutMs }),
    };
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

/** First line of a file (up to 256 bytes), for shebang detection; undefined when unreadable. */
function readFirstLine(p: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(p, 'r');
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8').split('\n')[0];
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
