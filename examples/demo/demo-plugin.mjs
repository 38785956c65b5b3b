// The demo's handlers, packaged as a plugin the way a user's own would be.
import { definePlugin, NonRetryableError } from '@weft/engine';
import { z } from 'zod';

const DOCS = {
  'intro.md': 'Weft runs pipelines of tasks. Tasks run on workers; workers may be threads here or processes in a fleet.',
  'routing.md': 'Every routing decision is a span. The dispatcher filters workers by capability, then a strategy chooses.',
  'plugins.md': 'Plugins register handlers, strategies and hooks. A plugin declares the engine range it supports.',
};

export default definePlugin({
  name: 'weft-demo',
  version: '0.1.0',
  engine: '^0.1.0',
  configSchema: z.object({ failFirstFetches: z.number().int().min(0).default(1) }),
  setup(ctx) {
    let fetches = 0;
    ctx.registerHandler('docs.list', () => Object.keys(DOCS), { description: 'lists the documents to analyse' });
    // A flaky source: the first fetch fails, the engine's retry policy recovers it.
    ctx.registerHandler(
      'docs.fetch',
      async ({ name }, { logger }) => {
        fetches++;
        if (fetches <= ctx.config.failFirstFetches) {
          logger.info({ name }, 'simulated network error');
          throw new Error(`connection reset while fetching ${name}`);
        }
        const text = DOCS[name];
        if (text === undefined) throw new NonRetryableError(`no document named ${name}`);
        await new Promise((r) => setTimeout(r, 5));
        return { name, text };
      },
      { inputSchema: z.object({ name: z.string() }) },
    );
    ctx.registerHandler(
      'text.stats',
      ({ doc }) => {
        const words = doc.text.toLowerCase().match(/[a-z]+/g) ?? [];
        const counts = new Map();
        for (const w of words) if (w.length > 3) counts.set(w, (counts.get(w) ?? 0) + 1);
        const top = [...counts]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .slice(0, 3)
          .map(([w]) => w);
        return { name: doc.name, words: words.length, top };
      },
      { inputSchema: z.object({ doc: z.object({ name: z.string(), text: z.string() }) }) },
    );
    ctx.registerHandler('text.summary', ({ stats, docs }) => ({
      documents: docs.length,
      words: stats.reduce((n, s) => n + s.words, 0),
      longest: [...stats].sort((a, b) => b.words - a.words)[0]?.name,
      topWords: [...new Set(stats.flatMap((s) => s.top))].slice(0, 5),
    }));
  },
});
