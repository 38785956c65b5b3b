// Task types of the fleet example, spread over workers by capability. Each handler says which
// worker ran it, so the run's output shows the routing.
import { definePlugin } from '@weft/engine';
import { sleep } from '@weft/engine/util';

export default definePlugin({
  name: 'weft-example-fleet',
  version: '0.1.0',
  engine: '^0.1.0',
  setup(ctx) {
    // Does nothing: the benchmark's task, so it measures the runtime, not a handler.
    ctx.registerHandler('fleet.noop', () => null);
    ctx.registerHandler('fleet.list', (input) => input.files, { description: 'the files to process' });
    ctx.registerHandler(
      'fleet.lint-python',
      async ({ file }, h) => {
        await sleep(50, h.signal);
        return { file, issues: file.length % 3, worker: h.workerId };
      },
      { capabilities: ['lang:python'], description: 'pretend to lint a Python file' },
    );
    ctx.registerHandler(
      'fleet.embed',
      async ({ file }, h) => {
        await sleep(80, h.signal);
        return { file, dims: 384, worker: h.workerId };
      },
      { capabilities: ['gpu'], description: 'pretend to embed a file on a GPU' },
    );
    ctx.registerHandler('fleet.report', ({ lint, embeddings }, h) => ({
      files: lint.length,
      issues: lint.reduce((n, l) => n + l.issues, 0),
      embedded: embeddings.length,
      workers: [...new Set([...lint, ...embeddings].map((x) => x.worker))].sort(),
      reportedBy: h.workerId,
    }));
  },
});
