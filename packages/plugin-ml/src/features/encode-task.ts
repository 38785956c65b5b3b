/** The task's part of every row, and the scalars and buckets the worker part shares with it. */
import type { TaskDescriptor } from '@weft/engine';
import { KIND_BUCKETS, LANGUAGE_BUCKETS, LOG_SIZE_CAP_BYTES, RATIO_SPAN, TAG_BUCKETS, TASK_FEATURE_COUNT, TYPE_BUCKETS } from './feature-spec.js';
import { bucketOf } from './hash.js';

const LOG_SIZE_CAP = Math.log1p(LOG_SIZE_CAP_BYTES);
export const LOG_RATIO_SPAN = Math.log(RATIO_SPAN);

export const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : Number.isFinite(x) ? x : 0);

/** The first `lang:<id>` capability, else tag, whole (its bucket hashes the part after `lang:`). */
function languageOf(task: TaskDescriptor): string | undefined {
  return firstLanguage(task.capabilities) ?? firstLanguage(task.tags);
}

function firstLanguage(list: readonly string[]): string | undefined {
  for (const x of list) if (x.startsWith(LANG_PREFIX)) return x;
  return undefined;
}

const LANG_PREFIX = 'lang:';

/** The task's part of every row: same for all candidates, so computed once per decision. */
export function encodeTask(task: TaskDescriptor, out: Float32Array = new Float32Array(TASK_FEATURE_COUNT), sizeVsType = 0): Float32Array {
  writeTask(task, out, 0, sizeVsType);
  return out;
}

export function writeTask(task: TaskDescriptor, out: Float32Array, at: number, sizeVsType: number): void {
  out.fill(0, at, at + TASK_FEATURE_COUNT);
  let o = at;
  out[o + bucketOf('type', task.type, TYPE_BUCKETS)] = 1;
  o += TYPE_BUCKETS;
  out[o++] = clamp01(task.capabilities.length / 8);
  out[o++] = clamp01(Math.log1p(Math.max(0, task.sizeBytes)) / LOG_SIZE_CAP);
  out[o++] = clamp01(0.5 + sizeVsType / (2 * LOG_RATIO_SPAN));
  const lang = languageOf(task);
  if (lang !== undefined) out[o + bucketOf('lang', lang, LANGUAGE_BUCKETS, LANG_PREFIX.length)] = 1;
  o += LANGUAGE_BUCKETS;
  for (const tag of task.tags) if (!tag.startsWith(LANG_PREFIX)) out[o + bucketOf('tag', tag, TAG_BUCKETS)] = 1;
  o += TAG_BUCKETS;
  out[o++] = task.attempt > 1 ? 1 : 0;
}

// Worker kinds are few and repeat on every decision: hash each once, and remember the last few
// (a comparison each) ahead of the map (a hash lookup).
const kindBuckets = new Map<string, number>();
const recentKinds: string[] = [];
const recentBuckets: number[] = [];
const RECENT_KINDS = 4;
export function kindBucket(kind: string): number {
  for (let i = 0; i < recentKinds.length; i++) if (recentKinds[i] === kind) return recentBuckets[i]!;
  const b = hashedKind(kind);
  if (recentKinds.length === RECENT_KINDS) {
    recentKinds.pop();
    recentBuckets.pop();
  }
  recentKinds.unshift(kind);
  recentBuckets.unshift(b);
  return b;
}

function hashedKind(kind: string): number {
  let b = kindBuckets.get(kind);
  if (b === undefined) {
    if (kindBuckets.size > 1024) kindBuckets.clear();
    b = bucketOf('kind', kind, KIND_BUCKETS);
    kindBuckets.set(kind, b);
  }
  return b;
}
