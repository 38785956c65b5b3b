import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEngine, definePlugin, ENGINE_VERSION } from '@weft/engine';
import { rejection } from './helpers.js';

function pluginPackage(name: string, body: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-plugins-'));
  const pkgDir = path.join(dir, 'node_modules', name);
  mkdirSync(pkgDir, { recursive: true });
  writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ name, version: '1.2.3', type: 'module', exports: './index.js' }));
  writeFileSync(path.join(pkgDir, 'index.js'), body);
  return dir;
}

describe('plugin loader', () => {
  it('loads a plugin by npm package name from configuration and runs its handler', async () => {
    const baseDir = pluginPackage(
      'weft-plugin-hello',
      `export default { [Symbol.for('weft.plugin')]: true, name: 'weft-plugin-hello', version: '1.2.3', engine: '>=0.1.0',
         setup(ctx) { ctx.registerHandler('hello', (input) => 'hello ' + input.who + ctx.config.punct); } };`,
    );
    const engine = await createEngine({ config: { plugins: [{ name: 'weft-plugin-hello', config: { punct: '!' } }] }, baseDir });
    expect(engine.plugins).toEqual([{ name: 'weft-plugin-hello', version: '1.2.3' }]);
    const res = await engine.run({ name: 'p', steps: [{ id: 'h', task: 'hello', input: { who: 'weft' } }] });
    expect(res.output).toEqual({ h: 'hello weft!' });
    await engine.close();
  });

  it('refuses a plugin whose engine range excludes this engine, naming both versions', async () => {
    const plugin = definePlugin({ name: 'old-plugin', version: '2.0.0', engine: '^9.0.0', setup() {} });
    const err = await rejection(createEngine({ plugins: [plugin] }));
    expect(err.code).toBe('WEFT_PLUGIN_INCOMPATIBLE');
    expect(err.message).toBe(
      `Plugin "old-plugin"@2.0.0 requires @weft/engine ^9.0.0, but this engine is ${ENGINE_VERSION}. Install a release of "old-plugin" built for engine ${ENGINE_VERSION}, or an engine in ^9.0.0.`,
    );
  });

  it('reports a missing plugin package with the install command', async () => {
    const err = await rejection(createEngine({ config: { plugins: ['weft-plugin-does-not-exist'] }, baseDir: tmpdir() }));
    expect(err.code).toBe('WEFT_PLUGIN_NOT_FOUND');
    expect(err.message).toContain('pnpm add weft-plugin-does-not-exist');
  });

  it('says to write "./" when a bare name is a file that exists, not a package', async () => {
    const baseDir = mkdtempSync(path.join(tmpdir(), 'weft-bare-path-'));
    mkdirSync(path.join(baseDir, 'plugins'));
    writeFileSync(path.join(baseDir, 'plugins', 'mine.mjs'), 'export default {};');
    const err = await rejection(createEngine({ config: { plugins: ['plugins/mine.mjs'] }, baseDir }));
    expect(err.code).toBe('WEFT_PLUGIN_NOT_FOUND');
    expect(err.message).toContain('write it as a path, "./plugins/mine.mjs"');
    expect(err.message).not.toContain('pnpm add');
  });

  it('refuses a module that does not export a plugin', async () => {
    const baseDir = pluginPackage('not-a-plugin', 'export default { name: "x" };');
    const err = await rejection(createEngine({ config: { plugins: ['not-a-plugin'] }, baseDir }));
    expect(err.code).toBe('WEFT_PLUGIN_INVALID');
    expect(err.message).toContain('definePlugin');
  });

  it('validates plugin config with its schema and names the field', async () => {
    const plugin = definePlugin({
      name: 'configured',
      version: '1.0.0',
      engine: '*',
      configSchema: z.object({ threshold: z.number().min(0).max(1) }),
      setup() {},
    });
    const err = await rejection(createEngine({ plugins: [{ plugin, config: { threshold: 3 } }] }));
    expect(err.code).toBe('WEFT_PLUGIN_CONFIG_INVALID');
    expect(err.message).toBe('Plugin "configured" has invalid config: threshold: Too big: expected number to be <=1. Fix these fields in its config entry.');
    expect(err.details['issues']).toHaveLength(1);
  });

  it('wraps a throwing setup and tears down the plugins already loaded', async () => {
    const torn: string[] = [];
    const good = definePlugin({ name: 'good', version: '1.0.0', engine: '*', setup: () => () => void torn.push('good') });
    const bad = definePlugin({
      name: 'bad',
      version: '1.0.0',
      engine: '*',
      setup() {
        throw new Error('no licence key');
      },
    });
    const err = await rejection(createEngine({ plugins: [good, bad] }));
    expect(err.code).toBe('WEFT_PLUGIN_SETUP_FAILED');
    expect(err.message).toContain('Plugin "bad" failed in setup(): no licence key');
    expect(torn).toEqual(['good']);
  });

  it('rejects duplicate plugin names', async () => {
    const p = definePlugin({ name: 'twice', version: '1.0.0', engine: '*', setup() {} });
    const err = await rejection(createEngine({ plugins: [p, p] }));
    expect(err.code).toBe('WEFT_PLUGIN_DUPLICATE');
  });

  it('runs setup in order and teardown in reverse on close, reporting teardown failures', async () => {
    const events: string[] = [];
    const mk = (name: string, failTeardown = false) =>
      definePlugin({
        name,
        version: '1.0.0',
        engine: '*',
        setup(ctx) {
          events.push(`setup ${name}`);
          ctx.onClose(() => {
            events.push(`close ${name}`);
            if (failTeardown) throw new Error('socket stuck');
          });
        },
      });
    const engine = await createEngine({ plugins: [mk('a'), mk('b', true), mk('c')] });
    const err = await rejection(engine.close());
    expect(events).toEqual(['setup a', 'setup b', 'setup c', 'close c', 'close b', 'close a']);
    expect(err.code).toBe('WEFT_PLUGIN_TEARDOWN_FAILED');
    expect(err.message).toContain('"b" (socket stuck)');
  });

  it('rejects an invalid engine configuration with the field path', async () => {
    const err = await rejection(createEngine({ config: { workers: [{ id: 'w', concurrency: 0 }] } }));
    expect(err.code).toBe('WEFT_CONFIG_INVALID');
    expect(err.message).toContain('config.workers[0].concurrency');
  });

  it('a zero-plugin engine runs pipelines with built-in routing', async () => {
    const engine = await createEngine();
    engine.registerHandler('double', (n: number) => n * 2);
    const res = await engine.run({ name: 'p', steps: [{ id: 'd', task: 'double', input: 21 }] });
    expect(res.output).toEqual({ d: 42 });
    expect(res.steps['d']?.workers).toEqual(['local']);
    await engine.close();
  });
});
