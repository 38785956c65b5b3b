/** The template plugin loaded into a real engine, traced with the OTel in-memory exporter. */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createEngine, definePlugin, isWeftError, pipeline, ref, type Engine, type Plugin } from '@weft/engine';
import { Attr, SpanNames } from '@weft/engine/tracing';
import { afterEach, describe, expect, it } from 'vitest';
import templatePlugin, { TaskTally, WORD_COUNT_TASK } from '../src/index.js';

const engines: Engine[] = [];
afterEach(async () => {
  while (engines.length > 0) await engines.pop()!.close();
});

/** The template plugin with `config`, then `others` (plugins load in order). */
async function engineWith(config: Record<string, unknown> = {}, others: Plugin[] = []) {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const engine = await createEngine({
    plugins: [{ plugin: templatePlugin, config }, ...others],
    config: {
      workers: [
        { id: 'a', concurrency: 2 },
        { id: 'b', concurrency: 2 },
      ],
      seed: 7,
    },
    tracerProvider,
  });
  engines.push(engine);
  return { engine, exporter };
}

const countWords = pipeline('count')
  .step('count', WORD_COUNT_TASK, { input: { text: ref('input.text') } })
  .build();

describe('template plugin', () => {
  it('counts words through the engine and names the most frequent one', async () => {
    const { engine } = await engineWith();
    const result = await engine.run(countWords, { text: 'the cat saw the dog and the bird' });
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ count: { words: 8, top: 'the' } });
  });

  it('applies its validated config: short words are left out', async () => {
    const { engine } = await engineWith({ minWordLength: 4 });
    const result = await engine.run(countWords, { text: 'the bird, the bird, a word' });
    expect(result.output).toEqual({ count: { words: 3, top: 'bird' } });
  });

  it('refuses a bad config with the engine error naming the plugin and the field', async () => {
    const failure = await engineWith({ minWordLength: 0 }).catch((err: unknown) => err);
    expect(isWeftError(failure, 'WEFT_PLUGIN_CONFIG_INVALID')).toBe(true);
    expect((failure as Error).message).toContain('@acme/weft-plugin-template');
    expect((failure as Error).message).toContain('minWordLength');
  });

  it('routes with its strategy, recorded on the decision span', async () => {
    const { engine, exporter } = await engineWith();
    await engine.run(countWords, { text: 'one two' });
    const route = exporter.getFinishedSpans().find((s) => s.name === SpanNames.DECISION_ROUTE);
    expect(route?.attributes[Attr.DECISION_STRATEGY]).toBe('most-reliable');
  });

  it('moves a retry away from the worker that just failed', async () => {
    // A second plugin whose task fails on worker "a" only: the template strategy must learn from it.
    const flaky = definePlugin({
      name: 'flaky',
      version: '1.0.0',
      engine: '^0.1.0',
      setup(ctx) {
        ctx.registerHandler('flaky', (_input: unknown, hctx) => {
          if (hctx.workerId === 'a') throw new Error('worker a is broken');
          return hctx.workerId;
        });
      },
    });
    const { engine } = await engineWith({}, [flaky]);
    const p = pipeline('retry')
      .step('s', 'flaky', { input: {}, retries: { attempts: 1, backoff: { type: 'fixed', delayMs: 1 } } })
      .build();
    const result = await engine.run(p, {});
    expect(result.steps['s']?.workers).toEqual(['a', 'b']);
    expect(result.output).toEqual({ s: 'b' });
  });

  it('shares a task tally that another plugin can resolve', async () => {
    let seen: TaskTally | undefined;
    const reader = definePlugin({ name: 'reader', version: '1.0.0', engine: '^0.1.0', setup: (ctx) => void (seen = ctx.resolve(TaskTally)) });
    const { engine } = await engineWith({}, [reader]);
    await engine.run(countWords, { text: 'a b' });
    await engine.run(countWords, { text: 'c' });
    expect(seen?.get(WORD_COUNT_TASK)).toEqual({ ok: 2, failed: 0, answered: 0 });
    expect(engine.container.resolve(TaskTally).types()).toEqual([WORD_COUNT_TASK]);
  });

  it('is refused by an engine outside its range', async () => {
    const future = definePlugin({ ...templatePlugin, engine: '^9.0.0' });
    const failure = await createEngine({ plugins: [future] }).catch((err: unknown) => err);
    expect(isWeftError(failure, 'WEFT_PLUGIN_INCOMPATIBLE')).toBe(true);
  });
});
