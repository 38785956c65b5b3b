/** `pnpm example:greeting`: two plugins, one service; welcome messages in three languages. */
import { fileURLToPath } from 'node:url';
import { createEngine, pipeline, ref } from '@weft/engine';
import { greetingPlugin, welcomePlugin } from './src/index.js';

export const newcomers = [
  { name: 'Ada', team: 'compilers' },
  { name: 'Émile', team: 'runtime', language: 'fr' },
  { name: 'Grete', team: 'docs', language: 'de' },
];

const welcome = pipeline('welcome')
  .step('messages', 'welcome.message', { forEach: ref('input.people'), input: ref('item') })
  .build();

export async function runExample(): Promise<unknown> {
  const engine = await createEngine({
    plugins: [
      { plugin: greetingPlugin, config: { punctuation: '!', greetings: { en: 'Hello, {name}', fr: 'Bonjour, {name}', de: 'Hallo, {name}' } } },
      welcomePlugin,
    ],
  });
  try {
    const result = await engine.run(welcome, { people: newcomers });
    return result.output;
  } finally {
    await engine.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await runExample(), null, 2));
}
