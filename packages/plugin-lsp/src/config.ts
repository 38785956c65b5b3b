/** The plugin's configuration, validated at the edge with zod; every field has a default. */
import { isAbsolute } from 'node:path';
import { z } from 'zod';

/** Names of the servers this package ships; an entry under one of them only changes what it gives. */
export const BUILTIN_SERVER_NAMES: readonly string[] = ['typescript', 'pyright'];

const serverConfigSchema = z.strictObject({
  /** Executable to spawn (an absolute path, or a name looked up on PATH). Required for a new server. */
  command: z.string().min(1).optional(),
  /** Arguments, e.g. `['--stdio']`. Default none (a built-in keeps its own unless `command` changes). */
  args: z.array(z.string()).optional(),
  /** Language ids this server serves (`rust`); each becomes a `lang:<id>` capability. Required for a new server. */
  languages: z.array(z.string().min(1)).min(1).optional(),
  /** How to install it, quoted in the error when it is missing. */
  install: z.string().optional(),
  /** Sent as `initializationOptions` in `initialize`. */
  initializationOptions: z.unknown().optional(),
  /** Answers to `workspace/configuration`, looked up by section (`python.analysis`). Default `{}`. */
  settings: z.record(z.string(), z.unknown()).optional(),
  /**
   * Absolute paths the server must read besides the workspace root, Node and its command (its
   * libraries, a toolchain), bound read-only in the sandbox. A path inside an npm package brings
   * that package and its dependencies. Default none (the built-ins know their own).
   */
  readPaths: z.array(z.string().refine((p) => isAbsolute(p), 'an absolute path')).optional(),
  /** Extra environment variables for the server process. */
  env: z.record(z.string(), z.string()).optional(),
  /**
   * `push`: pull diagnostics when the server offers them, else wait for `publishDiagnostics` and
   * diagnosticsSettleMs of quiet. `tsserver`: ask tsserver through typescript-language-server
   * (what the built-in `typescript` server uses). Default `push`.
   */
  diagnostics: z.enum(['push', 'tsserver']).optional(),
});

const languageConfigSchema = z.strictObject({
  /** File extensions with the dot (`.rs`). */
  extensions: z.array(z.string().regex(/^\./, 'an extension starts with a dot')).default([]),
  /** Interpreter names a shebang may use (`python` also matches `python3.12`). */
  shebangs: z.array(z.string().min(1)).default([]),
});

export const lspConfigSchema = z.strictObject({
  /** The sandbox: every path a task names must resolve inside it. Default the process's cwd. */
  workspaceRoot: z.string().min(1).optional(),
  /**
   * How server processes are confined. `bwrap` (default): each server runs under bubblewrap and
   * can read only the workspace root, its own installation, Node and the system's runtime, with
   * a private /tmp and no network; fails with WEFT_LSP_SANDBOX_UNAVAILABLE when bubblewrap is
   * missing. `paths-only` (weaker): servers run as plain child processes; only the paths tasks
   * name are checked, so a server may still read files outside the root that a file imports.
   */
  sandbox: z.enum(['bwrap', 'paths-only']).default('bwrap'),
  /** bubblewrap's executable, a name looked up on PATH or a path. Default `bwrap`. */
  bwrapPath: z.string().min(1).default('bwrap'),
  /**
   * Servers by name, merged over the built-in `typescript` (typescript-language-server) and
   * `pyright`; `false` disables a built-in one.
   */
  servers: z
    .record(z.string().min(1), z.union([serverConfigSchema, z.literal(false)]))
    .default({})
    .superRefine((servers, ctx) => {
      for (const [name, cfg] of Object.entries(servers)) {
        if (cfg === false || BUILTIN_SERVER_NAMES.includes(name)) continue;
        for (const field of ['command', 'languages'] as const) {
          if (cfg[field] === undefined) ctx.addIssue({ code: 'custom', path: [name, field], message: `required for server "${name}", which is not built in` });
        }
      }
    }),
  /** Languages by id, merged over the built-in typescript, javascript and python. */
  languages: z.record(z.string().min(1), languageConfigSchema).default({}),
  /** Per LSP request, in ms; past it the request is cancelled with `$/cancelRequest`. Default 30000. */
  requestTimeoutMs: z.number().int().positive().default(30_000),
  /** Spawn to `initialize` answered, in ms. Default 30000. */
  startTimeoutMs: z.number().int().positive().default(30_000),
  /** Servers with no request for this long are shut down, in ms. Default 300000 (5 min). */
  idleTimeoutMs: z.number().int().positive().default(300_000),
  /** Most servers alive at once; the least recently used idle one makes room. Default 4. */
  maxServers: z.number().int().positive().default(4),
  /** Most documents kept open per server; the least recently used is closed. Default 64. */
  maxOpenDocuments: z.number().int().positive().default(64),
  /** Quiet time after the last `publishDiagnostics` before the list counts as settled, in ms. Default 100. */
  diagnosticsSettleMs: z.number().int().nonnegative().default(100),
  /** First restart delay after a crash, doubled per further crash, in ms. Default 250. */
  restartDelayMs: z.number().int().nonnegative().default(250),
  /** Cap on the restart delay, in ms. Default 10000. */
  maxRestartDelayMs: z.number().int().nonnegative().default(10_000),
  /** Time given to `shutdown`/`exit` before the process group is killed, in ms. Default 2000. */
  shutdownTimeoutMs: z.number().int().positive().default(2_000),
  /** Default timeout of the `lsp.*` task types, in ms (a step's own wins). Default 60000. */
  taskTimeoutMs: z.number().int().positive().default(60_000),
  /** Default retries of the `lsp.*` task types after a crash or timeout (a step's own wins). Default 1. */
  taskRetries: z.number().int().nonnegative().default(1),
});

export type LspConfigInput = z.input<typeof lspConfigSchema>;
export type LspConfig = z.output<typeof lspConfigSchema>;
export type ServerConfig = z.output<typeof serverConfigSchema>;
export type LanguageConfig = z.output<typeof languageConfigSchema>;

/** Parses and defaults a configuration (throws zod's error on bad input; the engine validates first). */
export function resolveLspConfig(input: LspConfigInput = {}): LspConfig {
  return lspConfigSchema.parse(input);
}
