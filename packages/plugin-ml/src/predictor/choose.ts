/**
 * The pick among scored candidates. Coordination asks for a worker within 10% of the fastest at
 * the task's type; latency asks for the least wait + service. One score cannot serve both: with
 * the wait discounted, equally fast workers are told apart by noise in their estimates instead of
 * by their queues; with it in full, a task leaves its fastest worker as soon as a slower one is
 * free. So the pick is made in two steps:
 *
 * 1. the fastest class: candidates whose service estimate is within SPECIALTY_MARGIN of the
 *    fastest one's; its best by the full cost (wait + service), so among equally fast workers the
 *    queue decides;
 * 2. that class's best is the pick unless the best candidate overall is cheaper even when waits
 *    count only `waitWeight` of themselves: a slower worker wins only by a clear margin.
 */
import { SPECIALTY_MARGIN } from './specialties.js';

/** Per-candidate costs, reused across decisions (a decision is synchronous). */
export class ChoiceCosts {
  service = new Float64Array(8);
  full = new Float64Array(8);
  discounted = new Float64Array(8);

  /** Makes room for `count` candidates. */
  ensure(count: number): this {
    if (this.service.length < count) {
      const size = 2 ** Math.ceil(Math.log2(count));
      this.service = new Float64Array(size);
      this.full = new Float64Array(size);
      this.discounted = new Float64Array(size);
    }
    return this;
  }
}

/** The index of the pick among the first `count` candidates of `costs`. */
export function choose(costs: ChoiceCosts, count: number): number {
  const { service, full, discounted } = costs;
  let fastest = Infinity;
  for (let i = 0; i < count; i++) if (service[i]! < fastest) fastest = service[i]!;
  let inClass = -1;
  let overall = 0;
  for (let i = 0; i < count; i++) {
    if (full[i]! < full[overall]!) overall = i;
    if (service[i]! <= SPECIALTY_MARGIN * fastest && (inClass < 0 || full[i]! < full[inClass]!)) inClass = i;
  }
  if (inClass < 0) return overall;
  return inClass === overall || discounted[inClass]! <= discounted[overall]! ? inClass : overall;
}
