/** Built-in languages and the language table a configuration extends. */
import type { LanguageConfig } from '../config.js';

export const BUILTIN_LANGUAGES: Readonly<Record<string, LanguageConfig>> = {
  typescript: { extensions: ['.ts', '.tsx', '.mts', '.cts'], shebangs: ['ts-node', 'tsx', 'deno', 'bun'] },
  javascript: { extensions: ['.js', '.jsx', '.mjs', '.cjs'], shebangs: ['node', 'nodejs'] },
  python: { extensions: ['.py', '.pyi', '.pyw'], shebangs: ['python', 'pypy'] },
};

/** LSP `languageId`s that differ from the language's own id. */
const DOCUMENT_LANGUAGE_IDS: Readonly<Record<string, string>> = { '.tsx': 'typescriptreact', '.jsx': 'javascriptreact' };

export class LanguageTable {
  private readonly byExtension = new Map<string, string>();
  private readonly interpreters: { pattern: RegExp; language: string }[] = [];

  constructor(overrides: Readonly<Record<string, LanguageConfig>> = {}) {
    const all = { ...BUILTIN_LANGUAGES, ...overrides };
    for (const [language, cfg] of Object.entries(all)) {
      for (const ext of cfg.extensions) this.byExtension.set(ext.toLowerCase(), language);
      for (const name of cfg.shebangs) {
        // `python` also matches `python3` and `python3.12`, as interpreters are versioned that way.
        this.interpreters.push({ pattern: new RegExp(`^${escapeRegExp(name)}(\\d+(\\.\\d+)*)?$`), language });
      }
    }
  }

  /** Language of a file from its extension, else from its shebang line. */
  detect(filePath: string, firstLine?: string): string | undefined {
    const ext = extensionOf(filePath);
    const byExt = ext === '' ? undefined : this.byExtension.get(ext);
    if (byExt !== undefined) return byExt;
    if (firstLine === undefined) return undefined;
    const interpreter = shebangInterpreter(firstLine);
    if (interpreter === undefined) return undefined;
    return this.interpreters.find((i) => i.pattern.test(interpreter))?.language;
  }

  /** The LSP `languageId` to open a document with. */
  documentLanguageId(filePath: string, language: string): string {
    return DOCUMENT_LANGUAGE_IDS[extensionOf(filePath)] ?? language;
  }
}

function extensionOf(filePath: string): string {
  const base = filePath.slice(Math.max(filePath.lastIndexOf('/'), filePath.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

/** `#!/usr/bin/env -S python3 -u` → `python3`; `#!/usr/local/bin/node` → `node`. */
export function shebangInterpreter(firstLine: string): string | undefined {
  if (!firstLine.startsWith('#!')) return undefined;
  const words = firstLine.slice(2).trim().split(/\s+/).filter(Boolean);
  let i = 0;
  if (words[0] !== undefined && basename(words[0]) === 'env') {
    i = 1;
    while (words[i]?.startsWith('-') || words[i]?.includes('=')) i++;
  }
  const word = words[i];
  return word === undefined ? undefined : basename(word);
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
