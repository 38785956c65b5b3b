import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineRunError, pipeline, type Engine } from '@weft/engine';
import lspPlugin, { LspAttr, LspEvents, type DiagnosticsResult, type HoverResult, type LocationsResult, type SymbolsResult } from '@weft/plugin-lsp';
import { tracedEngine, type TracedEngine } from '../../../test-support/traced-engine.js';
import { PY_FILES, TS_FILES, alive, groupMembers, makeWorkspace, until, type Workspace } from './workspace.js';

// One engine and one pair of servers for the whole file: a cold start costs seconds.
let ws: Workspace;
let traced: TracedEngine;
let engine: Engine;

async function runOne<T>(task: string, input: Record<string, unknown>, extra: { capabilities?: string[]; retries?: number } = {}): Promise<T> {
  const p = pipeline('one')
    .step('s', task, { input: input as never, ...extra })
    .build();
  const res = await engine.run(p);
  return res.outputs['s'] as T;
}

async function failure(task: string, input: Record<string, unknown>, retries = 0): Promise<PipelineRunError> {
  const err = await engine
    .run(
      pipeline('one')
        .step('s', task, { input: input as never, retries })
        .build(),
    )
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(PipelineRunError);
  return err as PipelineRunError;
}

beforeAll(async () => {
  ws = makeWorkspace({ ...TS_FILES, ...PY_FILES, 'notes.brk': 'broken language\n', 'ghost.gst': 'nobody serves this\n' });
  traced = await tracedEngine({
    plugins: [
      {
        plugin: lspPlugin,
        config: {
          workspaceRoot: ws.root,
          // Two servers that cannot work: one whose command is missing, one that dies at start.
          servers: {
            ghost: { command: '/nonexistent/ghost-language-server', args: ['--stdio'], languages: ['ghost'], install: 'npm install ghost-language-server' },
            broken: { command: process.execPath, args: ['-e', 'process.exit(3)'], languages: ['broken'], install: 'npm install broken-ls' },
          },
          languages: { ghost: { extensions: ['.gst'] }, broken: { extensions: ['.brk'] } },
          restartDelayMs: 10,
        },
      },
    ],
  });
  engine = traced.engine;
  // Start both servers at once: each cold start costs seconds.
  await engine.run(
    pipeline('warm-up')
      .step('ts', 'lsp.symbols', { input: { file: 'src/b.ts' } })
      .step('py', 'lsp.symbols', { input: { file: 'tools/calc.py' } })
      .build(),
  );
}, 120_000);

afterAll(async () => {
  await engine.close();
  ws.remove();
});

describe('code intelligence against real language servers', () => {
  it('reports a TypeScript type error with its line and code, and no unused-variable hints', async () => {
    const out = await runOne<DiagnosticsResult>('lsp.diagnostics', { file: 'src/a.ts' }, { capabilities: ['lang:typescript'] });
    expect(out.language).toBe('typescript');
    expect(out.server).toBe('typescript');
    expect(out.counts.error).toBe(1);
    expect(out.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', line: 1, code: 2322, message: expect.stringContaining("'string' is not assignable to type 'number'") }),
    ]);
    expect(out.diagnostics.some((d) => d.severity === 'hint')).toBe(false);
  });

  it('reports Python errors from pyright', async () => {
    const out = await runOne<DiagnosticsResult>('lsp.diagnostics', { file: 'tools/calc.py' }, { capabilities: ['lang:python'] });
    expect(out.language).toBe('python');
    expect(out.server).toBe('pyright');
    const byCode = Object.fromEntries(out.diagnostics.map((d) => [String(d.code), d]));
    expect(byCode['reportArgumentType']).toMatchObject({ severity: 'error', line: 4 });
    expect(byCode['reportUndefinedVariable']).toMatchObject({ severity: 'error', line: 5, message: expect.stringContaining('missing_name') });
  });

  it('sees an unsaved edit passed as text, and its fix', async () => {
    const broken = await runOne<DiagnosticsResult>('lsp.diagnostics', { file: 'src/b.ts', text: 'export const n: string = 42;\n' });
    expect(broken.diagnostics.map((d) => d.code)).toEqual([2322]);
    const fixed = await runOne<DiagnosticsResult>('lsp.diagnostics', { file: 'src/b.ts' });
    expect(fixed.diagnostics).toEqual([]);
  });

  it('answers hover and definition across two files', async () => {
    // `greet` in `greet('weft')` on a.ts line 3 is defined in b.ts.
    const hover = await runOne<HoverResult>('lsp.hover', { file: 'src/a.ts', position: { line: 2, character: 24 } });
    expect(hover.contents).toContain('greet(name: string): string');
    expect(hover.contents).toContain('Says hello to someone.');
    const def = await runOne<LocationsResult>('lsp.definition', { file: 'src/a.ts', position: { line: 2, character: 24 } });
    expect(def.locations).toEqual([expect.objectContaining({ file: 'src/b.ts', external: false, line: 1, character: 16 })]);
  });

  it('finds references and document symbols', async () => {
    const refs = await runOne<LocationsResult>('lsp.references', { file: 'src/b.ts', position: { line: 1, character: 17 } });
    expect(refs.locations.map((l) => `${l.file}:${l.line}`).sort()).toEqual(['src/a.ts:0', 'src/a.ts:2', 'src/b.ts:1']);
    const syms = await runOne<SymbolsResult>('lsp.symbols', { file: 'tools/calc.py' });
    expect(syms.symbols).toContainEqual(expect.objectContaining({ name: 'double', kind: 'function', line: 0 }));
  });

  it('annotates the task span with the language, server and method', () => {
    const spans = traced.spans('weft.task.execute').filter((s) => s.attributes[LspAttr.METHOD] === 'textDocument/hover');
    expect(spans.length).toBeGreaterThan(0);
    expect(spans[0]!.attributes).toMatchObject({
      [LspAttr.LANGUAGE]: 'typescript',
      [LspAttr.SERVER]: 'typescript',
      [LspAttr.FILE]: 'src/a.ts',
      [LspAttr.COLD_START]: false,
    });
    const starts = traced.spans('weft.task.execute').filter((s) => s.events.some((e) => e.name === LspEvents.SERVER_START));
    expect(starts.map((s) => s.attributes[LspAttr.SERVER]).sort()).toEqual(['pyright', 'typescript']);
  });

  it('refuses paths that leave the workspace root without retrying', async () => {
    const err = await failure('lsp.hover', { file: '../../etc/passwd.ts', position: { line: 0, character: 0 } }, 3);
    expect(err.result.steps['s']).toMatchObject({ attempts: 1, error: { code: 'WEFT_LSP_PATH_OUTSIDE_ROOT' } });
  });

  it('fails a missing server with a retryable error naming it and how to install it', async () => {
    const err = await failure('lsp.diagnostics', { file: 'ghost.gst' }, 1);
    const step = err.result.steps['s']!;
    expect(step.attempts).toBe(2);
    expect(step.error?.code).toBe('WEFT_LSP_SERVER_UNAVAILABLE');
    expect(step.error?.message).toContain('"ghost"');
    expect(step.error?.message).toContain('npm install ghost-language-server');
  });

  it('fails a server that dies at start the same way, while other languages keep working', async () => {
    const err = await failure('lsp.diagnostics', { file: 'notes.brk' }, 1);
    expect(err.result.steps['s']).toMatchObject({ attempts: 2, error: { code: 'WEFT_LSP_SERVER_UNAVAILABLE', message: expect.stringContaining('"broken"') } });
    const ts = await runOne<DiagnosticsResult>('lsp.diagnostics', { file: 'src/a.ts' });
    expect(ts.counts.error).toBe(1);
  });

  it('refuses a file whose language it cannot tell, naming the fix', async () => {
    ws.write('README', 'plain text\n');
    const err = await failure('lsp.diagnostics', { file: 'README' }, 2);
    expect(err.result.steps['s']).toMatchObject({ attempts: 1, error: { code: 'WEFT_LSP_LANGUAGE_UNKNOWN', message: expect.stringContaining('"language"') } });
  });

  it('leaves no server process behind once the engine is closed', async () => {
    const { LanguageBridge } = await import('@weft/engine');
    const bridge = engine.container.resolve(LanguageBridge) as unknown as { servers(): { pid: number }[] };
    const pids = bridge.servers().map((s) => s.pid);
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    await engine.close();
    expect(pids.filter(alive)).toEqual([]);
    expect(await until(() => pids.every((p) => groupMembers(p).length === 0), 2_000)).toBe(true);
  });
});
