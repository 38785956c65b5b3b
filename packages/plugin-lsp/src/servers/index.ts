/** `@weft/plugin-lsp/servers`: language-server processes, the manager that pools them, their specs, and path resolution inside the sandbox. */
export { LanguageServer, type LanguageServerOptions, type RequestOptions, type ServerExit, type ServerState } from './language-server.js';
export { ServerManager, type ServerInfo, type ServerManagerOptions } from './server-manager.js';
export { builtinServers, serverSpecs, type ServerSpec } from './server-spec.js';
export { resolveInRoot, type ResolvedPath } from '../sandbox/resolve-in-root.js';
