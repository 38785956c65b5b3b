/**
 * `t.charge` for dead-letter tests, broken or fixed by $WEFT_DLQ_FIXED: a worker restarted with
 * it set is the same plugin swapped for its fixed release.
 */
import { definePlugin } from '../../src/index.js';

export default definePlugin({
  name: 'weft-dlq-test-plugin',
  version: '1.0.0',
  engine: '*',
  setup(ctx) {
    ctx.registerHandler(
      't.charge',
      (input: { n: number }) => {
        if (process.env['WEFT_DLQ_FIXED'] !== '1') throw new Error(`charge ${input.n} declined (bug in 1.0.0)`);
        return { charged: input.n };
      },
      { retries: 2 },
    );
  },
});
