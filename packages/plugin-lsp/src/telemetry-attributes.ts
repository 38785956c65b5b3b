/** Span attribute keys and event names the plugin writes on the task's execution span. */
export const LspAttr = {
  /** Language of the file (`typescript`, `python`). */
  LANGUAGE: 'weft.lsp.language',
  /** Name of the server that answered (`typescript`, `pyright`). */
  SERVER: 'weft.lsp.server',
  /** Process id of that server. */
  SERVER_PID: 'weft.lsp.server.pid',
  /** LSP method sent (`textDocument/hover`); for diagnostics `textDocument/diagnostic` (pulled, or waited for as published) or `typescript.tsserverRequest`. */
  METHOD: 'weft.lsp.method',
  /** File path relative to the workspace root. */
  FILE: 'weft.lsp.file',
  /** True when this task had to start the server. */
  COLD_START: 'weft.lsp.cold_start',
  /** Number of items in the result (diagnostics, locations, symbols). */
  RESULT_COUNT: 'weft.lsp.result.count',
} as const;

export const LspEvents = {
  /** A server process was started (attributes: server, pid, root). */
  SERVER_START: 'weft.lsp.server.start',
  /** A request passed its timeout or its task was aborted, and `$/cancelRequest` was sent. */
  REQUEST_CANCELLED: 'weft.lsp.request.cancelled',
} as const;
