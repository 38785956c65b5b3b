/** Task types for the limit tests, loaded by runners, in-process workers and `weft worker` processes. */
import { definePlugin } from '../../src/index.js';
import { sleep } from '../../src/util/index.js';

/** One task's run as its handler saw it (in-process workers only). */
export interface Span {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly worker: string;
}

export const log: Span[] = [];

export default definePlugin({
  name: 'weft-limits-test-plugin',
  version: '1.0.0',
  engine: '*',
  setup(ctx) {
    ctx.registerHandler('lim.work', async (input: { tenant: string; ms: number }, h) => {
      const start = Date.now();
      await sleep(input.ms, h.signal);
      log.push({ key: input.tenant, start, end: Date.now(), worker: h.workerId });
      return h.workerId;
    });
    // Holds its place as long as WEFT_TEST_HOLD_MS says (set on the worker that will be killed).
    ctx.registerHandler('lim.hold', async (_input: unknown, h) => {
      const start = Date.now();
      await sleep(Number(process.env['WEFT_TEST_HOLD_MS'] ?? 0), h.signal);
      log.push({ key: 'hold', start, end: Date.now(), worker: h.workerId });
      return h.workerId;
    });
  },
});
