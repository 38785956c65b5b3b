/** The example's plugin: the strategy, and a task that takes a little time so workers fill up. */
import { definePlugin } from '@weft/engine';
import { sleep } from '@weft/engine/util';
import { CheapestFirstStrategy } from './cheapest-first.js';

export default definePlugin({
  name: 'example-custom-strategy',
  version: '0.1.0',
  engine: '^0.1.0',
  setup(ctx) {
    ctx.registerStrategy(new CheapestFirstStrategy());
    ctx.registerHandler('thumbnail.render', async ({ image }: { image: string }, hctx) => {
      await sleep(20, hctx.signal);
      return { image, thumbnail: `${image}.thumb.png`, renderedBy: hctx.workerId };
    });
  },
});
