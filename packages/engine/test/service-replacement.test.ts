import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { createEngine, definePlugin, ExecutorToken, LoggerToken, type Executor, type WorkerView } from '@weft/engine';
import { ExecutorDepsToken, type ExecuteRequest } from '@weft/engine/contracts';
import { MemoryExecutor } from '@weft/engine/executors';

/** An executor of a plugin's own: runs on one embedded slot and keeps a ledger of what it ran. */
class LedgerExecutor implements Executor {
  readonly kind = 'embedded' as const;
  readonly waitsForWorkers = false;
  readonly ran: string[] = [];
  constructor(private readonly inner: MemoryExecutor) {}
  workers(): readonly WorkerView[] {
    return this.inner.workers();
  }
  execute(request: ExecuteRequest): Promise<unknown> {
    this.ran.push(`${request.task.stepId}@${request.workerId}`);
    return this.inner.execute(request);
  }
  onCapacity(listener: () => void): () => void {
    return this.inner.onCapacity(listener);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('a plugin replaces a core service by registering its token', () => {
  it('uses a plugin-supplied Logger and Executor for the runs', async () => {
    const lines: { msg: string; step?: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as { msg: string; step?: string });
        done();
      },
    });
    let ledger: LedgerExecutor | undefined;
    const services = definePlugin({
      name: 'own-services',
      version: '1.0.0',
      engine: '>=0.1.0',
      setup(ctx) {
        ctx.provide(LoggerToken, pino({ level: 'debug' }, sink));
        ledger = new LedgerExecutor(new MemoryExecutor([{ id: 'ledger-slot', concurrency: 2 }], ctx.resolve(ExecutorDepsToken)));
        ctx.provide(ExecutorToken, ledger);
      },
    });
    let failures = 1;
    const engine = await createEngine({ plugins: [services] });
    engine.registerHandler('flaky', () => {
      if (failures-- > 0) throw new Error('transient');
      return 'ok';
    });
    const res = await engine.run({ name: 'p', steps: [{ id: 'a', task: 'flaky', retries: { attempts: 2, backoff: { delayMs: 1 } } }] });

    expect(res.output).toEqual({ a: 'ok' });
    expect(engine.executor).toBe(ledger);
    expect(engine.workers().map((w) => w.id)).toEqual(['ledger-slot']);
    expect(ledger!.ran).toEqual(['a@ledger-slot', 'a@ledger-slot']);
    expect(lines.some((l) => l.msg === 'retrying task' && l.step === 'a')).toBe(true);
    await engine.close();
  });

  it('keeps the defaults when no plugin provides a service', async () => {
    const engine = await createEngine({ config: { workers: [{ id: 'w1' }] } });
    expect(engine.executor).toBeInstanceOf(MemoryExecutor);
    expect(engine.container.resolve(ExecutorToken)).toBe(engine.executor);
    await engine.close();
  });
});
