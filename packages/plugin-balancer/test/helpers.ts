/** Test helpers: real engines with the OTel in-memory exporter, and WorkerViews with mutable stats. */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createEngine, seededRandom, type CreateEngineOptions, type Engine, type SelectContext, type WorkerStats, type WorkerView } from '@weft/engine';

export interface TracedEngine {
  engine: Engine;
  spans(name?: string): ReadableSpan[];
}

export async function tracedEngine(options: CreateEngineOptions = {}): Promise<TracedEngine> {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const engine = await createEngine({ ...options, tracerProvider });
  return { engine, spans: (name) => exporter.getFinishedSpans().filter((s) => name === undefined || s.name === name) };
}

export interface TestWorker extends WorkerView {
  readonly stats: WorkerStats;
}

export function worker(id: string, init: Partial<Omit<WorkerView, 'id' | 'stats'>> & { stats?: Partial<WorkerStats> } = {}): TestWorker {
  const { stats, ...rest } = init;
  return {
    id,
    capabilities: ['*'],
    concurrency: 4,
    weight: 1,
    kind: 'test',
    ...rest,
    stats: { inFlight: 0, ewmaLatencyMs: 0, successRate: 1, completed: 0, failed: 0, recentErrors: [], ...stats },
  };
}

export function workers(n: number, init: Parameters<typeof worker>[1] = {}): TestWorker[] {
  return Array.from({ length: n }, (_, i) => worker(`w${i}`, init));
}

export function selectCtx(seed = 1, extra: Partial<SelectContext> = {}): SelectContext {
  return { random: seededRandom(seed), ...extra };
}
