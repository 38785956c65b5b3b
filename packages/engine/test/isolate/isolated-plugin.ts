/** Isolated task types for the fleet test, loaded by the runner and by a `weft worker` process. */
import { definePlugin, moduleHandler } from '../../src/index.js';

const mod = new URL('./isolated-handlers.ts', import.meta.url);

export default definePlugin({
  name: 'weft-isolated-test-plugin',
  version: '1.0.0',
  engine: '*',
  setup(ctx) {
    ctx.registerHandler('iso.spin', moduleHandler({ module: mod, export: 'spin' }), { isolate: 'thread' });
    ctx.registerHandler('iso.alloc', moduleHandler({ module: mod, export: 'allocate' }), { isolate: 'process', memoryMb: 64 });
    ctx.registerHandler('iso.echo', moduleHandler({ module: mod, export: 'echo' }), { isolate: 'thread' });
  },
});
