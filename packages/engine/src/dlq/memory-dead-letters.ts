/** The embedded runtime's dead letters: a bounded map in the engine's process. */
import { matching, type DeadLetter, type DeadLetterFilter, type DeadLetterRetention, type DeadLetterStore } from './dead-letter.js';

export class MemoryDeadLetters implements DeadLetterStore {
  // Insertion order is age order (an entry added again moves to the end).
  private readonly entries = new Map<string, DeadLetter>();

  constructor(private readonly retention: Pick<DeadLetterRetention, 'maxEntries' | 'maxAgeMs'>) {}

  add(entry: DeadLetter): Promise<void> {
    this.entries.delete(entry.id);
    this.entries.set(entry.id, entry);
    this.trim();
    return Promise.resolve();
  }

  list(filter?: DeadLetterFilter): Promise<DeadLetter[]> {
    this.trim();
    return Promise.resolve(matching(this.entries.values(), filter));
  }

  get(id: string): Promise<DeadLetter | undefined> {
    this.trim();
    return Promise.resolve(this.entries.get(id));
  }

  remove(ids: readonly string[]): Promise<number> {
    return Promise.resolve(ids.filter((id) => this.entries.delete(id)).length);
  }

  purge(filter: Pick<DeadLetterFilter, 'type'> = {}): Promise<number> {
    let n = 0;
    for (const [id, e] of this.entries) if (filter.type === undefined || e.taskType === filter.type) n += this.entries.delete(id) ? 1 : 0;
    return Promise.resolve(n);
  }

  private trim(): void {
    const oldest = Date.now() - this.retention.maxAgeMs;
    for (const [id, e] of this.entries) {
      if (this.entries.size <= this.retention.maxEntries && Date.parse(e.at) >= oldest) break;
      this.entries.delete(id);
    }
  }
}
