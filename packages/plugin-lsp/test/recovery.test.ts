import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LanguageBridge, PipelineRunError, pipeline, type Engine } from '@weft/engine';
import lspPlugin, { LspBridge, LspEvents, type DiagnosticsResult, type HoverResult } from '@weft/plugin-lsp';
import { tracedEngine, type TracedEngine } from '../../../test-support/traced-engine.js';
import { PY_FILES, alive, makeWorkspace, until, type Workspace } from './workspace.js';

let ws: Workspace;
let traced: TracedEngine;
let engine: Engine;
let bridge: LspBridge;

// A file that takes pyright a while to check, so the kill lands while the request is in flight.
const BIG_PY =
  PY_FILES['tools/calc.py'] +
  Array.from(
    { length: 40 },
    (_, i) =>
      `\n\ndef f${i}(xs: list[int]) -> dict[str, int]:\n    out: dict[str, int] = {}\n    for j, x in enumerate(xs):\n        out[f"{j}-${i}"] = x * ${i} + len(str(x))\n    return out\n`,
  ).join('');

const diagnostics = (retries: number) =>
  pipeline('check')
    .step('s', 'lsp.diagnostics', { input: { file: 'tools/big.py' }, retries, capabilities: ['lang:python'] })
    .build();

/** Starts a diagnostics run and SIGKILLs the server while the request is in flight. */
async function runWhileKillingServer(retries: number): Promise<{ result: Promise<unknown>; killed: number }> {
  const result = engine.run(diagnostics(retries)).catch((e: unknown) => e);
  expect(await until(() => bridge.servers().some((s) => s.pending > 0 && s.state === 'running'), 20_000, 2)).toBe(true);
  const killed = bridge.servers()[0]!.pid;
  process.kill(killed, 'SIGKILL');
  return { result, killed };
}

beforeAll(async () => {
  ws = makeWorkspace({ ...PY_FILES, 'tools/big.py': BIG_PY, 'one/x.py': 'x: int = "no"\n', 'two/y.py': 'y: str = 1\n' });
  traced = await tracedEngine({ plugins: [{ plugin: lspPlugin, config: { workspaceRoot: ws.root, restartDelayMs: 50 } }] });
  engine = traced.engine;
  bridge = engine.container.resolve(LanguageBridge) as LspBridge;
  await engine.run(diagnostics(0));
}, 120_000);

afterAll(async () => {
  await engine.close();
  ws.remove();
});

describe('recovery from crashes and timeouts', () => {
  it('fails a task whose server is killed mid-request as retryable, and the next request restarts the server', async () => {
    const { result, killed } = await runWhileKillingServer(0);
    const err = await result;
    expect(err).toBeInstanceOf(PipelineRunError);
    expect((err as PipelineRunError).result.steps['s']).toMatchObject({
      attempts: 1,
      error: { code: 'WEFT_LSP_SERVER_CRASHED', message: expect.stringContaining('"pyright"') },
    });
    expect(alive(killed)).toBe(false);

    const next = await engine.run(diagnostics(0));
    expect((next.outputs['s'] as DiagnosticsResult).counts.error).toBe(2);
    const [server] = bridge.servers();
    expect(server!.pid).not.toBe(killed);
    expect(alive(server!.pid)).toBe(true);
  }, 60_000);

  it("recovers within the same run when the step's retry policy allows another attempt", async () => {
    const { result, killed } = await runWhileKillingServer(2);
    const res = (await result) as Awaited<ReturnType<Engine['run']>>;
    expect(res.status).toBe('succeeded');
    expect(res.steps['s']!.attempts).toBe(2);
    expect((res.outputs['s'] as DiagnosticsResult).counts.error).toBe(2);
    expect(bridge.servers()[0]!.pid).not.toBe(killed);
  }, 60_000);

  it('sends $/cancelRequest for the in-flight request when the run is cancelled', async () => {
    const before = bridge.servers()[0]!;
    const controller = new AbortController();
    const result = engine.run(diagnostics(0), {}, { signal: controller.signal }).catch((e: unknown) => e);
    expect(await until(() => bridge.servers()[0]!.pending > 0, 20_000, 2)).toBe(true);
    controller.abort();
    const err = await result;
    expect(err).toBeInstanceOf(PipelineRunError);
    expect((err as PipelineRunError).code).toBe('WEFT_RUN_CANCELLED');
    const after = bridge.servers()[0]!;
    expect(after.cancelled).toBe(before.cancelled + 1);
    expect(after.pid).toBe(before.pid);
    expect(await until(() => bridge.servers()[0]!.pending === 0, 5_000)).toBe(true);
  });

  it('cancels a request that passes its timeout, and the server keeps serving', async () => {
    const before = bridge.servers()[0]!;
    const err = await engine
      .run(
        pipeline('hover')
          .step('s', 'lsp.hover', { input: { file: 'tools/calc.py', position: { line: 0, character: 5 }, timeoutMs: 1 }, retries: 0 })
          .build(),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineRunError);
    expect((err as PipelineRunError).result.steps['s']!.error?.code).toBe('WEFT_LSP_REQUEST_TIMEOUT');
    const cancelled = traced.spans('weft.task.execute').flatMap((s) => s.events.filter((e) => e.name === LspEvents.REQUEST_CANCELLED));
    expect(cancelled.map((e) => e.attributes?.['reason'])).toContain('timeout');
    const after = bridge.servers()[0]!;
    expect(after.pid).toBe(before.pid);
    expect(after.cancelled).toBe(before.cancelled + 1);

    const ok = await engine.run(
      pipeline('hover')
        .step('s', 'lsp.hover', { input: { file: 'tools/calc.py', position: { line: 0, character: 5 } } })
        .build(),
    );
    expect((ok.outputs['s'] as HoverResult).contents).toContain('double');
  });
});

describe('server lifecycle limits', () => {
  it('stops the least recently used server to stay under maxServers, and stops idle servers', async () => {
    const capped = new LspBridge({ workspaceRoot: ws.root, maxServers: 1, idleTimeoutMs: 1_000 });
    try {
      const one = await capped.diagnostics({ root: 'one', file: 'x.py' });
      expect(one.counts.error).toBe(1);
      const first = capped.servers()[0]!;
      const two = await capped.diagnostics({ root: 'two', file: 'y.py' });
      expect(two.counts.error).toBe(1);
      expect(capped.servers().map((s) => s.root)).toEqual([join(capped.workspaceRoot, 'two')]);
      expect(alive(first.pid)).toBe(false);

      const second = capped.servers()[0]!.pid;
      expect(await until(() => capped.servers().length === 0, 10_000, 50)).toBe(true);
      expect(await until(() => !alive(second), 3_000)).toBe(true);
    } finally {
      await capped.close();
    }
  }, 90_000);
});
