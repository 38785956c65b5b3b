import { describe, expect, it } from 'vitest';
import { createEngine, definePlugin, type LanguageBridge } from '@weft/engine';
import { advertisedCapabilities } from '../src/cli/advertised-capabilities.js';

describe('weft worker --capabilities', () => {
  it('adds lang:<id> for each language the loaded bridge serves', async () => {
    const bridge: LanguageBridge = {
      name: 'two-languages',
      languages: () => ['python', 'typescript'],
      detectLanguage: (f) => (f.endsWith('.py') ? 'python' : undefined),
      close: async () => {},
    };
    const withBridge = await createEngine({
      plugins: [definePlugin({ name: 'b', version: '1.0.0', engine: '*', setup: (ctx) => ctx.setLanguageBridge(bridge) })],
    });
    expect(advertisedCapabilities('gpu, lang:python', withBridge)).toEqual(['gpu', 'lang:python', 'lang:typescript']);
    const plain = await createEngine();
    expect(advertisedCapabilities('gpu', plain)).toEqual(['gpu']);
    await withBridge.close();
    await plain.close();
  });
});
