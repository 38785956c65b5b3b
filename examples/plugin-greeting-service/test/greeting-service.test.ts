/** The greeting plugin's config and service, and a second plugin that injects the service. */
import { createEngine, definePlugin, isWeftError, pipeline, type Engine, type PluginSpec, type ValueExpr } from '@weft/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { runExample } from '../run.js';
import { GreetingService, greetingPlugin, welcomePlugin } from '../src/index.js';

const engines: Engine[] = [];
afterEach(async () => {
  while (engines.length > 0) await engines.pop()!.close();
});

async function engineWith(...plugins: PluginSpec[]): Promise<Engine> {
  const engine = await createEngine({ plugins });
  engines.push(engine);
  return engine;
}

const greetOnce = (input: Record<string, ValueExpr>) => pipeline('greet').step('g', 'greeting.greet', { input }).build();

describe('greeting service plugin', () => {
  it('greets with its defaults when given no config', async () => {
    const engine = await engineWith(greetingPlugin);
    expect((await engine.run(greetOnce({ name: 'Ada' }))).output).toEqual({ g: 'Hello, Ada!' });
  });

  it('uses the configured languages and punctuation', async () => {
    const engine = await engineWith({ plugin: greetingPlugin, config: { greetings: { it: 'Ciao {name}' }, defaultLanguage: 'it', punctuation: '.' } });
    expect((await engine.run(greetOnce({ name: 'Lea' }))).output).toEqual({ g: 'Ciao Lea.' });
  });

  it('refuses a default language missing from the greetings, naming the field', async () => {
    const failure = await engineWith({ plugin: greetingPlugin, config: { greetings: { en: 'Hi {name}' }, defaultLanguage: 'fr' } }).catch((e: unknown) => e);
    expect(isWeftError(failure, 'WEFT_PLUGIN_CONFIG_INVALID')).toBe(true);
    expect((failure as Error).message).toContain('defaultLanguage');
  });

  it('fails a task in an unknown language with its own code, without retrying', async () => {
    const engine = await engineWith(greetingPlugin);
    const failure = await engine.run(greetOnce({ name: 'Ada', language: 'xx' })).catch((e: unknown) => e);
    const step = (failure as { result?: { steps: Record<string, { attempts: number; error?: { message: string } }> } }).result?.steps['g'];
    expect(step?.attempts).toBe(1);
    expect(step?.error?.message).toContain('No greeting for language "xx"');
  });

  it('is injected into a second plugin through its token', async () => {
    let languages: readonly string[] = [];
    const reader = definePlugin({
      name: 'reader',
      version: '1.0.0',
      engine: '^0.1.0',
      setup: (ctx) => void (languages = ctx.resolve(GreetingService).languages()),
    });
    await engineWith(greetingPlugin, reader);
    expect(languages).toEqual(['de', 'en', 'fr']);
  });

  it('makes the welcome plugin refuse to load without it, saying what to add', async () => {
    const failure = await engineWith(welcomePlugin).catch((e: unknown) => e);
    expect(isWeftError(failure, 'WEFT_PLUGIN_SETUP_FAILED')).toBe(true);
    expect((failure as Error).message).toContain('@acme/weft-plugin-greeting-service');
  });
});

describe('the example run', () => {
  it('writes a welcome message per newcomer in their language', async () => {
    expect(await runExample()).toEqual({
      messages: [
        { subject: 'Welcome to compilers', body: 'Hello, Ada! You have joined compilers.' },
        { subject: 'Welcome to runtime', body: 'Bonjour, Émile! You have joined runtime.' },
        { subject: 'Welcome to docs', body: 'Hallo, Grete! You have joined docs.' },
      ],
    });
  });
});
