/** The plugin: a LanguageBridge backed by managed language servers, and the `lsp.*` task types. */
import { definePlugin } from '@weft/engine';
import { LspBridge } from './bridge/lsp-bridge.js';
import { lspConfigSchema, type LspConfig } from './config.js';
import { registerLspHandlers } from './handlers/register-handlers.js';

export const lspPlugin = definePlugin<LspConfig>({
  name: '@weft/plugin-lsp',
  version: '0.1.0',
  engine: '^0.1.0',
  configSchema: lspConfigSchema,
  setup(ctx) {
    const bridge = new LspBridge(ctx.config, ctx.logger);
    ctx.setLanguageBridge(bridge);
    registerLspHandlers(ctx, bridge);
    ctx.logger.debug({ workspaceRoot: bridge.workspaceRoot, languages: bridge.languages() }, 'language bridge ready');
    // Closing the engine shuts every server down; no process outlives it.
    return () => bridge.close();
  },
});
