/**
 * The plugin docs keep up with the engine: every PluginContext member, contract type, token and
 * hook the engine source declares is named in docs/extension-points.md, and the guides' links
 * point at files that exist.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './packing.js';

const read = (rel: string): string => readFileSync(path.join(ROOT, rel), 'utf8');
const contractFiles = readdirSync(path.join(ROOT, 'packages/engine/src/contracts'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => `packages/engine/src/contracts/${f}`);
const extensionPoints = read('docs/extension-points.md');
const guide = read('docs/writing-a-plugin.md');

/** Names the doc never mentions as a whole word (in prose, a table or a code block). */
const named = (doc: string, names: readonly string[]): string[] => names.filter((n) => !new RegExp(`\\b${n.replace(/[$]/g, '\\$&')}\\b`).test(doc));
const matches = (text: string, re: RegExp): string[] => [...text.matchAll(re)].map((m) => m[1]!);

describe('docs/extension-points.md', () => {
  it('names every member of PluginContext', () => {
    const source = read('packages/engine/src/plugin/plugin-context.ts');
    const body = source.slice(source.indexOf('export interface PluginContext'));
    const members = matches(body, /^ {2}(?:readonly )?([a-zA-Z]+)[?<(:]/gm);
    expect(members.length).toBeGreaterThan(15);
    expect(named(extensionPoints, members)).toEqual([]);
  });

  it('names every contract interface, type and token', () => {
    const names = contractFiles.flatMap((f) => matches(read(f), /^export (?:interface|type|const|function) ([A-Za-z0-9]+)/gm));
    expect(names).toContain('BalancingStrategy');
    expect(named(extensionPoints, [...new Set(names)])).toEqual([]);
  });

  it('names every engine-provided token', () => {
    const tokens = matches(read('packages/engine/src/tokens.ts'), /^export const (\w+Token)\b/gm);
    expect(tokens).toContain('LoggerToken');
    expect(named(extensionPoints, tokens)).toEqual([]);
  });

  it('names every hook', () => {
    const hooks = matches(read('packages/engine/src/contracts/hooks.ts'), /^ {2}'([a-z]+:[a-z]+)':/gm);
    expect(hooks).toHaveLength(7);
    expect(named(extensionPoints, hooks)).toEqual([]);
  });
});

describe('plugin guides', () => {
  it.each([
    ['docs/extension-points.md', extensionPoints],
    ['docs/writing-a-plugin.md', guide],
  ])('%s links only to files that exist', (file, text) => {
    const links = matches(text, /\]\((\.{1,2}\/[^)#]+)/g);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !existsSync(path.resolve(ROOT, path.dirname(file), l)))).toEqual([]);
  });

  it('covers the whole path a plugin author walks', () => {
    const headings = matches(guide, /^## (.+)$/gm)
      .join(' | ')
      .toLowerCase();
    for (const topic of ['contract', 'tokens', 'hooks', 'config schema', 'versioning', 'testing against the engine', 'publishing']) {
      expect(headings).toContain(topic);
    }
  });
});
