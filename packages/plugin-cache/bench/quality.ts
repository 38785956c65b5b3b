/**
 * Quality of the cache on one seed of the labelled workload, as a stream: every task is looked up;
 * a hit is correct when the answer has the task's meaning; a miss runs the task and stores its
 * result (so a near-miss stored after a miss can wrongly answer later tasks too, as in use).
 */
import type { TaskDescriptor } from '@weft/engine';
import { SemanticCache, type CacheConfig } from '@weft/plugin-cache';
import { generateWorkload, type WorkTask } from './workload.js';

export interface Tally {
  n: number;
  hits: number;
  wrong: number;
}

export interface Quality {
  seed: number;
  /** Correct hits on repeats / repeats. */
  recall: number;
  /** Correct hits / hits. */
  precision: number;
  hits: number;
  falseHits: number;
  byType: Map<string, { repeats: Tally; all: Tally }>;
  byLabel: Map<string, Tally>;
}

let seq = 0;
export const asTask = (t: Pick<WorkTask, 'type' | 'input'>): TaskDescriptor => {
  const id = `bench:${++seq}`;
  return {
    id,
    runId: 'bench',
    stepId: 's',
    type: t.type,
    input: t.input,
    capabilities: [],
    tags: [],
    sizeBytes: 0,
    attempt: 1,
    handlerVersion: '1',
    idempotencyKey: id,
  };
};

const add = (t: Tally, hit: boolean, wrong: boolean): void => {
  t.n++;
  if (hit) t.hits++;
  if (wrong) t.wrong++;
};
const tally = (): Tally => ({ n: 0, hits: 0, wrong: 0 });

export async function quality(policies: Pick<CacheConfig, 'defaults' | 'types'>, seed: number, tasks = 12_000): Promise<Quality> {
  const stream = generateWorkload({ seed, tasks });
  const cache = new SemanticCache({ policies, memoryBudgetBytes: 512 * 1024 * 1024 });
  const byType = new Map<string, { repeats: Tally; all: Tally }>();
  const byLabel = new Map<string, Tally>();
  for (const t of stream) {
    const task = asTask(t);
    const hit = await cache.lookup(task);
    const wrong = hit !== undefined && (hit.output as { meaning: number }).meaning !== t.meaning;
    if (!hit || wrong) await cache.store(task, { meaning: t.meaning });
    const ty = byType.get(t.type) ?? { repeats: tally(), all: tally() };
    byType.set(t.type, ty);
    add(ty.all, hit !== undefined, wrong);
    if (t.label.startsWith('repeat:')) add(ty.repeats, hit !== undefined, wrong);
    const l = byLabel.get(`${t.type} ${t.label}`) ?? tally();
    byLabel.set(`${t.type} ${t.label}`, l);
    add(l, hit !== undefined, wrong);
  }
  await cache.close();
  let repeats = 0;
  let repeatHits = 0;
  let hits = 0;
  let wrong = 0;
  for (const { repeats: r, all } of byType.values()) {
    repeats += r.n;
    repeatHits += r.hits - r.wrong;
    hits += all.hits;
    wrong += all.wrong;
  }
  return { seed, recall: repeatHits / repeats, precision: hits ? (hits - wrong) / hits : 1, hits, falseHits: wrong, byType, byLabel };
}

/** Recall and precision of one type's tally. */
export const typeRecall = (t: { repeats: Tally }): number => (t.repeats.n ? (t.repeats.hits - t.repeats.wrong) / t.repeats.n : 1);
export const typePrecision = (t: { all: Tally }): number => (t.all.hits ? (t.all.hits - t.all.wrong) / t.all.hits : 1);
