/**
 * End-to-end latency of one task and of a 3-step chain: Weft (tracing on) against raw BullMQ
 * (`queue.add` then `job.waitUntilFinished`, three in a row for the chain, untraced), interleaved
 * so that machine noise hits both sides alike.
 */
import type { TracerProvider } from '@opentelemetry/api';
import { Queue, QueueEvents } from 'bullmq';
import { createEngine, type Engine, type PipelineDefinition, type Plugin } from '@weft/engine';
import { fleetRuntime } from '@weft/engine/fleet';
import examplePlugin from '../../examples/fleet/fleet-plugin.mjs';
import { RAW_PREFIX, connection, rawWorker, stopAll, weftWorker } from './fleet-procs.js';

export interface Latencies {
  rawSingle: number[];
  rawChain: number[];
  weftSingle: number[];
  weftChain: number[];
}

const single: PipelineDefinition = { name: 'single', steps: [{ id: 'a', task: 'fleet.noop' }] };
const chain: PipelineDefinition = {
  name: 'chain3',
  steps: [
    { id: 'a', task: 'fleet.noop' },
    { id: 'b', task: 'fleet.noop', dependsOn: ['a'] },
    { id: 'c', task: 'fleet.noop', dependsOn: ['b'] },
  ],
};

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export async function latencies(redisUrl: string, runs: number, otlp: string, tracerProvider: TracerProvider): Promise<Latencies> {
  const out: Latencies = { rawSingle: [], rawChain: [], weftSingle: [], weftChain: [] };
  const rawProc = rawWorker(redisUrl, 'raw-latency', 10);
  const weftProc = weftWorker(redisUrl, 'bench-latency', 10, otlp);
  await Promise.all([rawProc.ready, weftProc.ready]);
  const queue = new Queue('raw-latency', { connection: connection(redisUrl), prefix: RAW_PREFIX });
  const events = new QueueEvents('raw-latency', { connection: connection(redisUrl), prefix: RAW_PREFIX });
  await events.waitUntilReady();
  const rawOne = async (): Promise<void> => {
    const job = await queue.add('noop', {}, { removeOnComplete: 100 });
    await job.waitUntilFinished(events, 10_000);
  };
  const fleet = await fleetRuntime(redisUrl);
  const engine: Engine = await createEngine({ ...fleet, plugins: [...fleet.plugins, examplePlugin as Plugin<unknown>], tracerProvider });
  const warm = 20;
  for (let i = 0; i < runs + warm; i++) {
    const rs = await time(rawOne);
    const ws = await time(() => engine.run(single));
    const rc = await time(async () => {
      await rawOne();
      await rawOne();
      await rawOne();
    });
    const wc = await time(() => engine.run(chain));
    if (i < warm) continue;
    out.rawSingle.push(rs);
    out.weftSingle.push(ws);
    out.rawChain.push(rc);
    out.weftChain.push(wc);
  }
  await engine.close();
  await events.close();
  await queue.close();
  await stopAll([rawProc, weftProc]);
  return out;
}
