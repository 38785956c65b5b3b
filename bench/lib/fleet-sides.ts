/**
 * The three sides of bench:fleet's throughput comparison, each started once per scenario and then
 * run in alternating rounds:
 * - raw drain: `Queue.addBulk` (1,000 a call) to plain BullMQ workers, done when the completed
 *   count reaches N. It gathers no results and traces nothing: a floor, not the same work.
 * - raw gather: what a BullMQ user writes to do Weft's job: the same adds, every job's return value
 *   gathered from `QueueEvents` `completed`, producer and workers traced with bullmq-otel through
 *   batch processors exporting OTLP/HTTP to the sink Weft's workers export to.
 * - weft: one forEach run of N `fleet.noop` tasks on `weft worker` processes, tracing on.
 * One task is one BullMQ job on every side.
 */
import { Queue, QueueEvents } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import type { TracerProvider } from '@opentelemetry/api';
import { createEngine, type Engine, type PipelineDefinition, type Plugin } from '@weft/engine';
import { fleetRuntime } from '@weft/engine/fleet';
// The example's plugin is plain JavaScript, shared with the `weft worker` processes.
import examplePlugin from '../../examples/fleet/fleet-plugin.mjs';
import { RAW_PREFIX, connection, rawWorker, rssMb, stopAll, weftWorker, type Proc } from './fleet-procs.js';

export interface Scenario {
  label: string;
  concurrency: number;
  processes: number;
  jobs: number;
}

export interface Side {
  readonly name: string;
  /** Runs N tasks; resolves with the seconds they took. */
  run(n: number): Promise<number>;
  /** Highest resident memory of the side's worker processes now, in MB. */
  rss(): number;
  /** The side's worker processes. */
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

const BATCH = 1000;
const DEADLINE_MS = 120_000;

async function started(procs: Proc[]): Promise<Proc[]> {
  await Promise.all(procs.map((p) => p.ready));
  return procs;
}

const maxRss = (procs: readonly Proc[]) => (): number => Math.max(...procs.map((p) => rssMb(p.child.pid!)));

/** Polls `done` until true, failing the bench rather than hanging when jobs go missing. */
async function until(done: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`bench: ${what} did not finish within ${DEADLINE_MS} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function rawDrain(redisUrl: string, s: Scenario): Promise<Side> {
  const name = `drain-c${s.concurrency}-p${s.processes}`;
  const procs = await started(Array.from({ length: s.processes }, () => rawWorker(redisUrl, name, s.concurrency)));
  const queue = new Queue(name, { connection: connection(redisUrl), prefix: RAW_PREFIX });
  return {
    name: 'raw drain',
    async run(n) {
      const t0 = performance.now();
      for (let i = 0; i < n; i += BATCH) {
        await queue.addBulk(Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => ({ name: 'noop', data: { i: i + k } })));
      }
      await until(async () => ((await queue.getJobCounts('completed'))['completed'] ?? 0) >= n, 'raw drain');
      const seconds = (performance.now() - t0) / 1000;
      await queue.clean(0, 0, 'completed');
      return seconds;
    },
    rss: maxRss(procs),
    pids: procs.map((p) => p.child.pid!),
    async stop() {
      await queue.obliterate({ force: true });
      await queue.close();
      await stopAll(procs);
    },
  };
}

export async function rawGather(redisUrl: string, s: Scenario, otlp: string): Promise<Side> {
  const name = `gather-c${s.concurrency}-p${s.processes}`;
  const procs = await started(Array.from({ length: s.processes }, () => rawWorker(redisUrl, name, s.concurrency, otlp)));
  // The events stream must hold a whole batch's events (added, waiting, active, completed) or a
  // slow reader loses completions; a user gathering N results sizes it so.
  const queue = new Queue(name, {
    connection: connection(redisUrl),
    prefix: RAW_PREFIX,
    telemetry: new BullMQOtel({ tracerName: 'bench-raw-producer' }),
    streams: { events: { maxLen: 10 * s.jobs } },
  });
  const events = new QueueEvents(name, { connection: connection(redisUrl), prefix: RAW_PREFIX });
  await events.waitUntilReady();
  let results = new Map<string, unknown>();
  events.on('completed', ({ jobId, returnvalue }) => results.set(jobId, returnvalue));
  return {
    name: 'raw gather',
    async run(n) {
      results = new Map();
      const t0 = performance.now();
      const ids: string[] = [];
      for (let i = 0; i < n; i += BATCH) {
        const jobs = await queue.addBulk(
          Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => ({
            name: 'noop',
            data: { i: i + k },
            opts: { removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } },
          })),
        );
        for (const j of jobs) ids.push(j.id!);
      }
      await until(() => results.size >= n, 'raw gather');
      const gathered = ids.map((id) => results.get(id));
      const seconds = (performance.now() - t0) / 1000;
      if (gathered.length !== n || ids.some((id) => !results.has(id))) throw new Error('bench: raw gather lost results');
      return seconds;
    },
    rss: maxRss(procs),
    pids: procs.map((p) => p.child.pid!),
    async stop() {
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await stopAll(procs);
    },
  };
}

export async function weftSide(redisUrl: string, s: Scenario, otlp: string, tracerProvider: TracerProvider): Promise<Side> {
  const ids = Array.from({ length: s.processes }, (_, i) => `bench-c${s.concurrency}-${i}`);
  const procs = await started(ids.map((id) => weftWorker(redisUrl, id, s.concurrency, otlp)));
  const fleet = await fleetRuntime(redisUrl);
  const engine: Engine = await createEngine({ ...fleet, plugins: [...fleet.plugins, examplePlugin as Plugin<unknown>], tracerProvider });
  const total = s.concurrency * s.processes;
  const p: PipelineDefinition = {
    name: 'throughput',
    maxParallel: Math.max(64, 4 * total),
    steps: [{ id: 'each', task: 'fleet.noop', forEach: { $ref: 'input.items' }, input: { i: { $ref: 'item' } } }],
  };
  return {
    name: 'weft',
    async run(n) {
      const items = Array.from({ length: n }, (_, i) => i);
      const t0 = performance.now();
      const result = await engine.run(p, { items });
      const seconds = (performance.now() - t0) / 1000;
      const out = result.outputs['each'];
      if (result.status !== 'succeeded' || !Array.isArray(out) || out.length !== n)
        throw new Error(`bench: weft run ${result.status} with ${Array.isArray(out) ? out.length : 'no'} outputs`);
      return seconds;
    },
    rss: maxRss(procs),
    pids: procs.map((p) => p.child.pid!),
    async stop() {
      await engine.close();
      await stopAll(procs);
    },
  };
}
