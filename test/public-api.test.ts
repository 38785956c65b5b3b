/**
 * The root export names of every package, listed here so that a change to a package's public
 * door is deliberate and shows in review. Runtime names come from the built dist; type-only
 * names from its index.d.ts through the TypeScript compiler. Internals go behind a subpath
 * export (package.json `exports`), never the root. Needs `pnpm build` first (as `pnpm run ci` does).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

interface RootApi {
  /** The most names (runtime and type-only) the root may export. */
  readonly limit: number;
  readonly runtime: readonly string[];
  readonly types: readonly string[];
}

const API: Record<string, RootApi> = {
  engine: {
    limit: 60,
    runtime: [
      'BalancingStrategy',
      'ENGINE_VERSION',
      'Embedder',
      'ErrorCodes',
      'ExecutorToken',
      'LanguageBridge',
      'LoggerToken',
      'NonRetryableError',
      'PipelineBuilder',
      'PipelineRunError',
      'Predictor',
      'ResultCache',
      'WeftError',
      'WorkerGuard',
      'createEngine',
      'createLogger',
      'definePlugin',
      'engineConfigSchema',
      'errorMessage',
      'isPlugin',
      'isRetryable',
      'isWeftError',
      'loadPipelineFile',
      'moduleHandler',
      'pipeline',
      'ref',
      'silentLogger',
      'stepOutput',
      'validatePipeline',
    ],
    types: [
      'CreateEngineOptions',
      'Engine',
      'EngineConfig',
      'EngineConfigInput',
      'Executor',
      'HandlerContext',
      'HandlerOptions',
      'HookMap',
      'HookName',
      'InjectionToken',
      'Logger',
      'PipelineDefinition',
      'Plugin',
      'PluginContext',
      'PluginDefinition',
      'PluginSpec',
      'RetryPolicy',
      'RunEvent',
      'RunOptions',
      'RunResult',
      'StepDefinition',
      'StepOptions',
      'StepReport',
      'TaskDescriptor',
      'TaskHandler',
      'TaskOutcome',
      'ValueExpr',
      'WeftErrorCode',
      'WeftErrorOptions',
      'WorkerView',
    ],
  },
  'plugin-balancer': {
    limit: 25,
    runtime: [
      'BUILTIN_STRATEGY_NAMES',
      'BalancerAttr',
      'BalancerError',
      'BalancerErrorCodes',
      'BalancerSpanNames',
      'BalancerStatsToken',
      'Bulkhead',
      'CircuitBreaker',
      'PLUGIN_NAME',
      'StrategyRegistry',
      'balancerConfigSchema',
      'default',
      'isBalancerError',
    ],
    types: [
      'BalancerConfig',
      'BalancerErrorCode',
      'BalancerErrorOptions',
      'BalancerStats',
      'BalancerStatsSnapshot',
      'BreakerConfig',
      'BuiltinStrategyName',
      'BulkheadConfig',
      'StrategyClass',
      'StrategySpec',
      'StrategySpecConfig',
      'WorkerDecisionStats',
    ],
  },
  'plugin-ml': {
    limit: 25,
    runtime: [
      'FileModelStore',
      'MemoryModelStore',
      'MlError',
      'MlErrorCodes',
      'MlPredictor',
      'MlPredictorToken',
      'RedisModelStore',
      'default',
      'isMlError',
      'mlConfigSchema',
      'resolveConfig',
      'storeFor',
    ],
    types: [
      'FallbackReason',
      'MlConfig',
      'MlConfigInput',
      'MlErrorCode',
      'MlErrorOptions',
      'MlPredictorDeps',
      'MlPredictorStats',
      'ModelSnapshot',
      'ModelStore',
      'RedisModelStoreOptions',
      'UnversionedModel',
    ],
  },
  'plugin-cache': {
    limit: 25,
    runtime: [
      'CacheError',
      'CacheErrorCodes',
      'CacheStatsToken',
      'HashedNgramEmbedder',
      'PLUGIN_NAME',
      'SemanticCache',
      'cacheConfigSchema',
      'default',
      'embedderFromModel',
      'isCacheError',
    ],
    types: [
      'CacheConfig',
      'CacheErrorCode',
      'CacheStats',
      'CacheStatsSource',
      'FieldSpec',
      'FieldSpecInput',
      'Guards',
      'HashedNgramEmbedderOptions',
      'InvalidateScope',
      'ModelEmbedderOptions',
      'SemanticCacheOptions',
      'TypePolicy',
      'TypePolicyInput',
    ],
  },
  'plugin-lsp': {
    limit: 25,
    runtime: [
      'LspAttr',
      'LspBridge',
      'LspError',
      'LspErrorCodes',
      'LspEvents',
      'LspTaskTypes',
      'default',
      'findLspError',
      'isLspError',
      'languageCapability',
      'lspConfigSchema',
      'lspPlugin',
      'resolveLspConfig',
    ],
    types: [
      'CallOptions',
      'DiagnosticsResult',
      'HoverResult',
      'LanguageConfig',
      'LocationsResult',
      'LspConfig',
      'LspConfigInput',
      'LspErrorCode',
      'LspErrorOptions',
      'ScanResult',
      'ServerConfig',
      'SymbolsResult',
    ],
  },
};

function dist(pkg: string, file: string): string {
  const path = join(root, 'packages', pkg, 'dist', file);
  if (!existsSync(path)) throw new Error(`${path} is missing: run pnpm build before this test.`);
  return path;
}

let program: ts.Program | undefined;

/** Every name the declaration file exports, values and types alike (one program for every package: it is slow to build). */
function declaredNames(dts: string): string[] {
  program ??= ts.createProgram(
    Object.keys(API).map((pkg) => dist(pkg, 'index.d.ts')),
    { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, noEmit: true },
  );
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(dts)!)!;
  return checker
    .getExportsOfModule(module)
    .map((s) => s.name)
    .sort();
}

describe.each(Object.entries(API))('@weft/%s root exports', (pkg, api) => {
  it('are the runtime names listed here', async () => {
    const mod = (await import(pathToFileURL(dist(pkg, 'index.js')).href)) as Record<string, unknown>;
    expect(Object.keys(mod).sort()).toEqual([...api.runtime].sort());
  });

  it('are, with the type-only names listed here, every name of its index.d.ts', () => {
    expect(declaredNames(dist(pkg, 'index.d.ts'))).toEqual([...api.runtime, ...api.types].sort());
  });

  it(`stay within ${api.limit} names`, () => {
    expect(api.runtime.length + api.types.length).toBeLessThanOrEqual(api.limit);
  });

  it('has every subpath export built, types first', () => {
    const exports = (JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports;
    for (const [subpath, target] of Object.entries(exports)) {
      if (typeof target === 'string') continue;
      const entry = target as Record<string, string>;
      expect(Object.keys(entry)[0], `${subpath}: types come first`).toBe('types');
      expect(existsSync(join(root, 'packages', pkg, entry.types!)), `${subpath} types`).toBe(true);
      expect(existsSync(join(root, 'packages', pkg, entry.default!)), `${subpath} default`).toBe(true);
    }
  });
});
