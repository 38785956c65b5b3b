/** @weft/plugin-lsp: language servers behind the engine's LanguageBridge, and the `lsp.*` task types. */
import { lspPlugin } from './plugin.js';

export default lspPlugin;
export { lspPlugin };
export {
  LspBridge,
  languageCapability,
  type CallOptions,
  type DiagnosticsResult,
  type HoverResult,
  type LocationsResult,
  type SymbolsResult,
  type ScanResult,
} from './bridge/lsp-bridge.js';
export type { JsonDiagnostic, JsonLocation, JsonRange, JsonSymbol } from './bridge/to-json.js';
export { lspConfigSchema, resolveLspConfig, type LspConfig, type LspConfigInput, type ServerConfig, type LanguageConfig } from './config.js';
export { LspError, LspErrorCodes, isLspError, findLspError, type LspErrorCode, type LspErrorOptions } from './errors.js';
export { LspTaskTypes, registerLspHandlers } from './handlers/register-handlers.js';
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
} from './handlers/input-schemas.js';
export { LanguageTable, BUILTIN_LANGUAGES, shebangInterpreter } from './languages/language-table.js';
export { languageCapabilities } from './languages/available-languages.js';
export { resolveInRoot, type ResolvedPath } from './sandbox/resolve-in-root.js';
export { LanguageServer, type LanguageServerOptions, type RequestOptions, type ServerExit, type ServerState } from './servers/language-server.js';
export { ServerManager, type ServerInfo, type ServerManagerOptions } from './servers/server-manager.js';
export { builtinServers, serverSpecs, type ServerSpec } from './servers/server-spec.js';
export { LspAttr, LspEvents } from './telemetry-attributes.js';
