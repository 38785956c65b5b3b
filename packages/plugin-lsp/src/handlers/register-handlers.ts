/**
 * Registers the `lsp.*` task types. Their capability (`lang:<id>`) depends on the file, so it is
 * computed from each task's input: routing sends a Python file only to workers that advertise
 * `lang:python`. A worker without that server still fails the task as retryable.
 */
import type { HandlerOptions, PluginContext } from '@weft/engine';
import type { StandardSchemaV1 } from '@weft/engine/contracts';
import type { LspBridge } from '../bridge/lsp-bridge.js';
import type { LspConfig } from '../config.js';
import { diagnosticsInputSchema, positionInputSchema, referencesInputSchema, scanInputSchema, symbolsInputSchema } from './input-schemas.js';

export const LspTaskTypes = {
  DIAGNOSTICS: 'lsp.diagnostics',
  HOVER: 'lsp.hover',
  DEFINITION: 'lsp.definition',
  REFERENCES: 'lsp.references',
  SYMBOLS: 'lsp.symbols',
  SCAN: 'lsp.scan',
} as const;

export function registerLspHandlers(ctx: PluginContext<LspConfig>, bridge: LspBridge): void {
  const options = <I>(inputSchema: StandardSchemaV1<unknown, I>, description: string): HandlerOptions<I> => ({
    inputSchema,
    timeoutMs: ctx.config.taskTimeoutMs,
    retries: ctx.config.taskRetries,
    // Answers depend on files on disk, which the task input does not capture.
    cacheable: false,
    description,
  });
  const byFile = <I extends { file: string }>(inputSchema: StandardSchemaV1<unknown, I>, description: string): HandlerOptions<I> => ({
    ...options(inputSchema, description),
    capabilities: (input) => fileCapabilities(bridge, input),
  });
  ctx.registerHandler(
    LspTaskTypes.DIAGNOSTICS,
    (input, h) => bridge.diagnostics(input, h),
    byFile(diagnosticsInputSchema, 'Diagnostics of one file from its language server.'),
  );
  ctx.registerHandler(LspTaskTypes.HOVER, (input, h) => bridge.hover(input, h), byFile(positionInputSchema, 'Hover text at a position.'));
  ctx.registerHandler(
    LspTaskTypes.DEFINITION,
    (input, h) => bridge.definition(input, h),
    byFile(positionInputSchema, 'Where the symbol at a position is defined.'),
  );
  ctx.registerHandler(
    LspTaskTypes.REFERENCES,
    (input, h) => bridge.references(input, h),
    byFile(referencesInputSchema, 'Every reference to the symbol at a position.'),
  );
  ctx.registerHandler(LspTaskTypes.SYMBOLS, (input, h) => bridge.symbols(input, h), byFile(symbolsInputSchema, 'The symbols a file declares, flattened.'));
  ctx.registerHandler(LspTaskTypes.SCAN, (input, h) => bridge.scan(input, h), {
    ...options(scanInputSchema, 'Files under a directory by detected language.'),
    retries: 0,
  });
}

/** `lang:<id>` of the task's file; none when it cannot be told here (the worker then checks the path itself). */
function fileCapabilities(bridge: LspBridge, input: unknown): string[] {
  const file = typeof input === 'object' && input !== null ? (input as { file?: unknown }).file : undefined;
  if (typeof file !== 'string') return [];
  try {
    return bridge.capabilitiesFor(file);
  } catch {
    return [];
  }
}
