/**
 * @weft/plugin-lsp: language servers behind the engine's LanguageBridge, and the `lsp.*` task
 * types. The root holds the plugin, the bridge and its results, the config, errors and span
 * names; the task input schemas are behind `@weft/plugin-lsp/handlers`, the server processes
 * behind `/servers`, the language table behind `/languages`. The names here are snapshotted in
 * test/public-api.test.ts.
 */
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
export { lspConfigSchema, resolveLspConfig, type LspConfig, type LspConfigInput, type ServerConfig, type LanguageConfig } from './config.js';
export { LspError, LspErrorCodes, isLspError, findLspError, type LspErrorCode, type LspErrorOptions } from './errors.js';
export { LspTaskTypes } from './handlers/register-handlers.js';
export { LspAttr, LspEvents } from './telemetry-attributes.js';
