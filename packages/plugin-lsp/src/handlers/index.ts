/** `@weft/plugin-lsp/handlers`: the `lsp.*` task handlers, the schemas of their inputs, and the JSON shapes of their outputs. */
export { LspTaskTypes, registerLspHandlers } from './register-handlers.js';
export {
  diagnosticsInputSchema,
  positionInputSchema,
  referencesInputSchema,
  symbolsInputSchema,
  scanInputSchema,
  type DiagnosticsInput,
  type PositionInput,
  type ReferencesInput,
  type SymbolsInput,
  type ScanInput,
  type FileInput,
  type SeverityName,
} from './input-schemas.js';
export type { JsonDiagnostic, JsonLocation, JsonRange, JsonSymbol } from '../bridge/to-json.js';
