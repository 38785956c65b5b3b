/**
 * Where a task points: its root and file resolved inside the sandbox, its text (given or read),
 * its language and the server configured for it; each failure a coded error naming the fix.
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspError } from '../errors.js';
import type { FileInput } from '../handlers/input-schemas.js';
import type { LanguageTable } from '../languages/language-table.js';
import { resolveInRoot } from '../sandbox/resolve-in-root.js';
import type { ServerSpec } from '../servers/server-spec.js';

export interface Target {
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

export class TargetResolver {
  constructor(
    /** Real path of the sandbox every task path must stay inside. */
    private readonly workspaceRoot: string,
    private readonly table: LanguageTable,
    private readonly specs: readonly ServerSpec[],
  ) {}

  resolveRoot(root: string | undefined): string {
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

  resolveFile(file: string, root: string): { abs: string; rel: string; exists: boolean } {
    const r = resolveInRoot(this.workspaceRoot, file, root, 'file');
    return { abs: r.abs, rel: relative(root, r.abs).split(sep).join('/'), exists: r.exists };
  }

  async target(input: FileInput): Promise<Target> {
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
}
