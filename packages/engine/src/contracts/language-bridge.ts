import type { InjectionToken } from 'tsyringe';

/** A position in a text document, zero-based as in the Language Server Protocol. */
export interface TextPosition {
  readonly line: number;
  readonly character: number;
}

/** Talks to language servers. Registered under the LanguageBridge token by plugin-lsp. */
export interface LanguageBridge {
  readonly name: string;
  /** Language ids this process can serve (`typescript`, `python`), advertised as `lang:<id>`. */
  languages(): readonly string[];
  /** Language id of a file from its extension or shebang, or undefined. */
  detectLanguage(filePath: string, firstLine?: string): string | undefined;
  close(): Promise<void>;
}

export const LanguageBridge: InjectionToken<LanguageBridge> = Symbol.for('weft.LanguageBridge');
