/**
 * The typical input size of each task type (an EWMA of log sizes), so a task's size can be told
 * as "bigger or smaller than usual for its type": what drives its service time, whatever the
 * type's own scale.
 */

/** Weight of the newest size. */
const ALPHA = 0.05;
/** Types kept; the least recently seen go first. */
const MAX_TYPES = 4096;

export class TypeSizes {
  private readonly logs = new Map<string, number>();

  /** ln(size) − the type's typical ln(size); 0 for a type not seen yet. */
  relative(type: string, sizeBytes: number): number {
    const typical = this.logs.get(type);
    return typical === undefined ? 0 : Math.log1p(Math.max(0, sizeBytes)) - typical;
  }

  record(type: string, sizeBytes: number): void {
    const x = Math.log1p(Math.max(0, sizeBytes));
    const prev = this.logs.get(type);
    if (prev !== undefined) this.logs.delete(type);
    this.logs.set(type, prev === undefined ? x : ALPHA * x + (1 - ALPHA) * prev);
    if (this.logs.size > MAX_TYPES) {
      const oldest = this.logs.keys().next().value;
      if (oldest !== undefined) this.logs.delete(oldest);
    }
  }
}
