// bench:queue's fleet task types: a no-op, and one that answers when it started (ms since the epoch).
import { definePlugin } from '@weft/engine';

export default definePlugin({
  name: 'weft-bench-queue',
  version: '0.1.0',
  engine: '*',
  setup(ctx) {
    ctx.registerHandler('q.noop', () => null);
    ctx.registerHandler('q.stamp', () => Date.now());
  },
});
