/**
 * What `pnpm pack` puts in each @weft/* tarball: only the built code, a package.json whose
 * exports, types, engines and ranges work outside the workspace. (`pnpm pack:check`)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, pack, publishableDirs, readManifest, type Manifest, type PackedPackage } from './packing.js';

const engineVersion = readManifest(path.join(ROOT, 'packages/engine')).version;
const dirs = publishableDirs();
const packed = new Map<string, PackedPackage>();
let out: string;

beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), 'weft-pack-'));
  for (const p of await Promise.all(dirs.map((d) => pack(d, out)))) packed.set(p.manifest.name, p);
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Files a tarball may hold besides dist/ (and bin/ for packages with a binary). */
const ALLOWED_TOP = new Set(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']);

function dependencyRanges(m: Manifest): [string, string][] {
  return [m.dependencies, m.peerDependencies, m.devDependencies, m.optionalDependencies].flatMap((deps) => Object.entries(deps ?? {}));
}

function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

describe('packed @weft packages', () => {
  it('finds every workspace package under packages/ as publishable', () => {
    expect([...packed.keys()].sort()).toEqual(dirs.map((d) => readManifest(d).name).sort());
    expect(packed.has('@weft/engine')).toBe(true);
  });

  describe.each(dirs.map((d) => [path.basename(d), d] as const))('%s', (_name, dir) => {
    const get = (): PackedPackage => packed.get(readManifest(dir).name)!;

    it("ships only dist (and its bin, and the engine's dashboard page), never sources, tests, benchmarks or build state", () => {
      const { files, manifest } = get();
      const binDirs = Object.values(manifest.bin ?? {}).map((b) => b.replace(/^\.\//, '').split('/')[0]);
      const stray = files.filter((f) => {
        const top = f.split('/')[0]!;
        // The engine's dashboard page is served as written (plain HTML, CSS and JS in web/).
        const page = top === 'web' && manifest.name === '@weft/engine' && /\.(html|css|js)$/u.test(f);
        return !(top === 'dist' || binDirs.includes(top) || ALLOWED_TOP.has(f) || page);
      });
      expect(stray).toEqual([]);
      expect(files.filter((f) => /\.test\.|\.tsbuildinfo$|(^|\/)test\//.test(f))).toEqual([]);
      expect(files).toContain('dist/index.js');
    });

    it('publishes a package.json that works outside the workspace', () => {
      const { manifest } = get();
      expect(manifest.private).toBeUndefined();
      expect(manifest.name).toMatch(/^@weft\//);
      expect(manifest.type).toBe('module');
      expect(manifest.license).toBeTruthy();
      expect(manifest.engines?.['node']).toBeTruthy();
      expect(manifest.files).toEqual(expect.arrayContaining(['dist']));
      expect(manifest.publishConfig?.['access']).toBe('public');
      expect(dependencyRanges(manifest).filter(([, range]) => range.startsWith('workspace:'))).toEqual([]);
    });

    it('points main, types, exports and bin at files in the tarball, types first', () => {
      const { manifest, files } = get();
      const root = manifest.exports?.['.'] as Record<string, string> | undefined;
      expect(Object.keys(root ?? {})[0]).toBe('types');
      const targets = [manifest.main, manifest.types, ...exportTargets(manifest.exports), ...Object.values(manifest.bin ?? {})].filter(
        (t): t is string => t !== undefined,
      );
      expect(targets.map((t) => t.replace(/^\.\//, '')).filter((t) => !files.includes(t))).toEqual([]);
      expect(manifest.types).toBe(root?.['types']);
    });

    it('depends on sibling @weft packages by a caret range of their current version', () => {
      const { manifest } = get();
      const siblings = Object.entries(manifest.dependencies ?? {}).filter(([name]) => name.startsWith('@weft/'));
      for (const [name, range] of siblings) {
        expect(range).toBe(`^${packed.get(name)?.manifest.version}`);
      }
    });
  });

  describe.each(dirs.filter((d) => readManifest(d).name !== '@weft/engine').map((d) => [path.basename(d), d] as const))('plugin %s', (_name, dir) => {
    const get = (): PackedPackage => packed.get(readManifest(dir).name)!;

    it('peers on the engine release line it was built with, never depends on it', () => {
      const { manifest } = get();
      expect(manifest.peerDependencies?.['@weft/engine']).toBe(`^${engineVersion}`);
      expect(manifest.dependencies?.['@weft/engine']).toBeUndefined();
    });

    it('declares in definePlugin the same engine range it peers on, so install and load agree', async () => {
      const { manifest } = get();
      const mod = (await import(/* @vite-ignore */ manifest.name)) as { default?: { engine?: string } };
      expect(mod.default?.engine).toBe(manifest.peerDependencies?.['@weft/engine']);
    });
  });

  it('ships the engine without a peer on itself', () => {
    expect(packed.get('@weft/engine')?.manifest.peerDependencies?.['@weft/engine']).toBeUndefined();
  });
});
