/** Inputs of the `lsp.*` task types, validated by the engine before a handler runs. */
import { z } from 'zod';

const fileInput = {
  /** File to work on, relative to `root` (or absolute inside the workspace root). */
  file: z.string().min(1),
  /** Project directory inside the workspace root; a server is started per root. Default the workspace root. */
  root: z.string().min(1).optional(),
  /** Language id (`python`); detected from the extension or shebang when absent. */
  language: z.string().min(1).optional(),
  /** Text to use instead of the file's content on disk (an unsaved edit). */
  text: z.string().optional(),
  /** Per-request timeout in ms, past which `$/cancelRequest` is sent. Default the plugin's requestTimeoutMs. */
  timeoutMs: z.number().int().positive().optional(),
};

/** Zero-based, as in the Language Server Protocol. */
const position = z.strictObject({ line: z.number().int().nonnegative(), character: z.number().int().nonnegative() });

export const severities = ['error', 'warning', 'information', 'hint'] as const;
export type SeverityName = (typeof severities)[number];

export const diagnosticsInputSchema = z.strictObject({
  ...fileInput,
  /** Least severe diagnostic to report. Default `information` (hints such as "unused" are left out). */
  minSeverity: z.enum(severities).default('information'),
});

export const positionInputSchema = z.strictObject({ ...fileInput, position });

export const referencesInputSchema = z.strictObject({
  ...fileInput,
  position,
  /** Whether the declaration counts as a reference. Default true. */
  includeDeclaration: z.boolean().default(true),
});

export const symbolsInputSchema = z.strictObject(fileInput);

export const scanInputSchema = z.strictObject({
  /** Project directory inside the workspace root. Default the workspace root. */
  root: z.string().min(1).optional(),
  /** Directory to walk, relative to `root`. Default `.`. */
  dir: z.string().min(1).default('.'),
  /** Stop after this many files. Default 1000. */
  maxFiles: z.number().int().positive().default(1_000),
  /** Directory names never entered. Default node_modules, .git, dist, build, __pycache__, .venv, venv. */
  ignore: z.array(z.string().min(1)).default(['node_modules', '.git', 'dist', 'build', '__pycache__', '.venv', 'venv']),
});

export type FileInput = z.output<typeof symbolsInputSchema>;
export type DiagnosticsInput = z.input<typeof diagnosticsInputSchema>;
export type PositionInput = z.output<typeof positionInputSchema>;
export type ReferencesInput = z.input<typeof referencesInputSchema>;
export type SymbolsInput = z.output<typeof symbolsInputSchema>;
export type ScanInput = z.input<typeof scanInputSchema>;
