/**
 * Dead letters: tasks that failed for good (retries exhausted, or an error no retry can fix), kept
 * with everything needed to see why and to run them again. One store a runtime: in memory
 * embedded, in Redis on a fleet.
 */
import { createHash } from 'node:crypto';
import type { InjectionToken } from 'tsyringe';
import type { PipelineDefinition } from '../pipeline/pipeline-types.js';

/** One failed attempt of a dead task. */
export interface DeadAttempt {
  readonly attempt: number;
  readonly workerId: string;
  readonly durationMs: number;
  readonly error: string;
  /** ISO time the attempt ended. */
  readonly at: string;
}

export interface DeadLetter {
  /** Stable per task (its run, step and item): a task that dies again replaces its entry. */
  readonly id: string;
  readonly runId: string;
  readonly pipeline: string;
  readonly stepId: string;
  readonly itemIndex?: number;
  readonly taskType: string;
  /** The task's input as the handler got it; absent when it was larger than the store keeps. */
  readonly input?: unknown;
  /** Set when the input was too large to keep: its size in bytes. A replay then needs the run's record. */
  readonly inputTruncated?: { readonly bytes: number };
  readonly error: { readonly code: string; readonly message: string; readonly stack?: string };
  /** Every attempt, oldest first. */
  readonly attempts: readonly DeadAttempt[];
  /** ISO time the task died. */
  readonly at: string;
  /** Replays tried so far that failed again. */
  readonly replays?: number;
}

export interface DeadLetterFilter {
  /** Only this task type. */
  readonly type?: string;
  /** Only entries at or after this time. */
  readonly since?: Date;
  /** At most this many, newest first. Default all the store keeps. */
  readonly limit?: number;
}

/** Where dead letters are kept; bounded by the engine config's `deadLetters` retention. */
export interface DeadLetterStore {
  add(entry: DeadLetter): Promise<void>;
  /** Newest first. */
  list(filter?: DeadLetterFilter): Promise<DeadLetter[]>;
  get(id: string): Promise<DeadLetter | undefined>;
  /** Removes these entries; resolves with how many there were. */
  remove(ids: readonly string[]): Promise<number>;
  /** Removes every entry (of one type, when given); resolves with how many. */
  purge(filter?: Pick<DeadLetterFilter, 'type'>): Promise<number>;
}

export const DeadLetterStoreToken: InjectionToken<DeadLetterStore> = Symbol.for('weft.DeadLetterStore');

/** The retention of a store, from the engine config (`deadLetters`). */
export interface DeadLetterRetention {
  readonly maxEntries: number;
  readonly maxAgeMs: number;
  readonly maxInputBytes: number;
  readonly maxStackChars: number;
}

/** A task's entry id: the same task (run, step, item) always has the same one. */
export function deadLetterId(taskId: string): string {
  return createHash('sha256').update(taskId).digest('hex').slice(0, 16);
}

/** The input as kept: itself when small enough, else a marker with its size. */
export function boundedInput(input: unknown, maxBytes: number): Pick<DeadLetter, 'input' | 'inputTruncated'> {
  const json = JSON.stringify(input) ?? 'null';
  const bytes = Buffer.byteLength(json);
  return bytes <= maxBytes ? { input } : { inputTruncated: { bytes } };
}

/** Entries that match a filter, newest first (for stores that filter in process). */
export function matching(entries: Iterable<DeadLetter>, filter: DeadLetterFilter = {}): DeadLetter[] {
  const since = filter.since?.getTime();
  const out = [...entries]
    .filter((e) => (filter.type === undefined || e.taskType === filter.type) && (since === undefined || Date.parse(e.at) >= since))
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return filter.limit === undefined ? out : out.slice(0, filter.limit);
}

/** What a replay needs of a stored run (a fleet's record): whether it failed, and how to run it again. */
export interface StoredRunView {
  readonly status: string;
  readonly pipeline: PipelineDefinition;
  readonly input: unknown;
  readonly priority?: number;
}

/** Reads a stored run by id; provided by runtimes that keep runs (the fleet). */
export type StoredRunLookup = (runId: string) => Promise<StoredRunView | undefined>;

export const StoredRunLookupToken: InjectionToken<StoredRunLookup> = Symbol.for('weft.StoredRunLookup');
