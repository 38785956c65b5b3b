/** A pipeline with a fan-out and a fan-in whose tags name one run, and what its effects tell. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRedisClient, FleetKeys } from '@weft/engine/fleet';
import type { Effect } from '../fleet/fleet-harness.js';

export const MAX_PARALLEL = 3;

/** The pipeline file: first → fan (forEach, 400 ms items) → gather (1.5 s) → last. */
export function pipelineFile(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'weft-durable-')), 'durable.json');
  const work = (ms: number, tag: unknown, n?: unknown) => ({ ms, tag, ...(n === undefined ? {} : { n }) });
  writeFileSync(
    file,
    JSON.stringify({
      name: 'durable',
      maxParallel: MAX_PARALLEL,
      steps: [
        { id: 'first', task: 't.work', input: work(100, { $ref: 'input.first' }) },
        { id: 'fan', task: 't.work', dependsOn: ['first'], forEach: { $ref: 'input.items' }, input: work(400, { $ref: 'item' }) },
        { id: 'gather', task: 't.work', dependsOn: ['fan'], input: work(1500, { $ref: 'input.gather' }, { $ref: 'steps.fan.output' }) },
        { id: 'last', task: 't.work', dependsOn: ['gather'], input: work(50, { $ref: 'input.last' }, { $ref: 'steps.gather.output' }) },
      ],
    }),
  );
  return file;
}

/** The input of one run: every tag starts with `p` (one letter), so effects name their run. */
export function inputFor(p: string): Record<string, unknown> {
  return { first: `${p}-first`, items: Array.from({ length: 9 }, (_, i) => `${p}-f${i}`), gather: `${p}-gather`, last: `${p}-last` };
}

/** The output with the run's letter taken out, to compare runs. */
export function normalised(output: unknown, p: string): string {
  return JSON.stringify(output).replaceAll(`"${p}-`, '"X-');
}

/** What a run's effects say about a crash at `killedAt`. */
export function duplicates(effects: readonly Effect[], p: string, killedAt: number): { completedBeforeRanAgain: string[]; ranTwice: string[] } {
  const mine = effects.filter((e) => e.tag.startsWith(`${p}-`));
  const starts = new Map<string, number>();
  for (const e of mine) if (e.kind === 'start') starts.set(e.tag, (starts.get(e.tag) ?? 0) + 1);
  const doneBefore = new Set(mine.filter((e) => e.kind === 'done' && e.at <= killedAt).map((e) => e.tag));
  return {
    completedBeforeRanAgain: [...doneBefore].filter((t) => (starts.get(t) ?? 0) > 1),
    ranTwice: [...starts].filter(([, n]) => n > 1).map(([t]) => t),
  };
}

export interface StoredMeta {
  readonly status: string;
  readonly driver?: string;
  readonly takeovers?: number;
  readonly done?: string[];
}

/** The run's meta and output from its record. */
export async function readRecord(url: string, runId: string, prefix?: string): Promise<{ meta: StoredMeta; output: unknown } | undefined> {
  const redis = createRedisClient(url, { maxRetriesPerRequest: 1 });
  try {
    const keys = new FleetKeys(prefix);
    const [meta, output] = await redis.hmget(keys.run(runId), 'meta', 'output');
    return meta ? { meta: JSON.parse(meta) as StoredMeta, output: output ? (JSON.parse(output) as unknown) : undefined } : undefined;
  } finally {
    redis.disconnect();
  }
}

/** The run id an attached `weft run` prints as it starts. */
export function printedRunId(output: string): string | undefined {
  return /Run ([0-9a-f-]{36}) (started|resumed)/.exec(output)?.[1];
}
