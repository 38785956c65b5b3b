// The takeover measurement's task type: `bench.step` notes when it starts (ms since the epoch,
// appended to $BENCH_TAKEOVER_LOG) and waits `ms`, so the bench sees when each step reached a worker.
import { appendFileSync } from 'node:fs';
import { definePlugin } from '@weft/engine';
import { sleep } from '@weft/engine/util';

export default definePlugin({
  name: 'weft-bench-takeover',
  version: '0.1.0',
  engine: '*',
  setup(ctx) {
    ctx.registerHandler('bench.step', async ({ tag, ms }, h) => {
      const log = process.env['BENCH_TAKEOVER_LOG'];
      if (log) appendFileSync(log, `${tag} ${Date.now()}\n`);
      await sleep(ms, h.signal);
      return tag;
    });
  },
});
