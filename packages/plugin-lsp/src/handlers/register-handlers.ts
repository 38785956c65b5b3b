/**
 * Registers the `lsp.*` task types. Their capability (`lang:<id>`) depends on the file, so it is
 * not fixed here: a step asks for it with `capabilities: ['lang:python']` (see
 * `LspBridge.capabilitiesFor`), and a worker without that server fails the task as retryable.
 */
import type { HandlerOptions, PluginContext } from '@weft/engine';
import type { StandardSchemaV1 } from '@weft/engine';
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
  ctx.registerHandler(LspTaskTypes.DIAGNOSTICS, (input, h) => bridge.diagnostics(input, h), options(diagnosticsInputSchema, 'Diagnostics of one file from its language server.'));
  ctx.registerHandler(LspTaskTypes.HOVER, (input, h) => bridge.hover(input, h), options(positionInputSchema, 'Hover text at a position.'));
  ctx.registerHandler(LspTaskTypes.DEFINITION, (input, h) => bridge.definition(input, h), options(positionInputSchema, 'Where the symbol at a position is defined.'));
  ctx.registerHandler(LspTaskTypes.REFERENCES, (input, h) => bridge.references(input, h), options(referencesInputSchema, 'Every reference to the symbol at a position.'));
  ctx.registerHandler(LspTaskTypes.SYMBOLS, (input, h) => bridge.symbols(input, h), options(symbolsInputSchema, 'The symbols a file declares, flattened.'));
  ctx.registerHandler(LspTaskTypes.SCAN, (input, h) => bridge.scan(input, h), { ...options(scanInputSchema, 'Files under a directory by detected language.'), retries: 0 });
}
