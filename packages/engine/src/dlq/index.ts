/**
 * `@weft/engine/dlq`: dead letters, programmatically. `deadLetters(engine)` lists, shows, replays
 * and purges the engine's dead letters (in Redis on a fleet engine, in memory embedded).
 */
import type { Engine } from '../engine.js';
import { DeadLetterStoreToken, type DeadLetter, type DeadLetterFilter } from './dead-letter.js';
import { notFound, replayDeadLetters, type ReplayOutcome } from './replay.js';

export type { DeadLetter, DeadAttempt, DeadLetterFilter, DeadLetterStore } from './dead-letter.js';
export { DeadLetterStoreToken } from './dead-letter.js';
export type { ReplayOutcome } from './replay.js';
export { MemoryDeadLetters } from './memory-dead-letters.js';
export { RedisDeadLetters } from './redis-dead-letters.js';

export interface DeadLetters {
  /** Newest first. */
  list(filter?: DeadLetterFilter): Promise<DeadLetter[]>;
  /** One entry; a WEFT_DLQ_NOT_FOUND error when there is none. */
  get(id: string): Promise<DeadLetter>;
  /** Runs these entries again (see the README); a success removes its entry. */
  replay(ids: readonly string[]): Promise<ReplayOutcome[]>;
  /** Runs every entry (of one type, since a time) again. */
  replayAll(filter?: DeadLetterFilter): Promise<ReplayOutcome[]>;
  /** Removes entries (of one type); resolves with how many. */
  purge(filter?: Pick<DeadLetterFilter, 'type'>): Promise<number>;
}

export function deadLetters(engine: Engine): DeadLetters {
  const store = () => engine.container.resolve(DeadLetterStoreToken);
  return {
    list: (filter) => store().list(filter),
    get: async (id) => (await store().get(id)) ?? Promise.reject(notFound(id)),
    replay: (ids) => replayDeadLetters(engine, ids),
    replayAll: async (filter) =>
      replayDeadLetters(
        engine,
        // Oldest first: runs re-open in the order they failed.
        (await store().list(filter)).map((e) => e.id).reverse(),
      ),
    purge: (filter) => store().purge(filter),
  };
}
