/**
 * The template walked as its README says, outside the repository: copy the sources, point the
 * engine devDependency at the published range, install (the engine from a private registry on
 * loopback, everything else from the machine's configured registry), build with tsc, run its
 * own tests with vitest. Proves the template does not lean on anything the workspace provides.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mustRun, pnpm, sh } from './commands.js';
import { ROOT, readManifest, requireBuilt } from './packing.js';
import { closeRegistry, startPrivateRegistry, type PrivateRegistry } from './private-registry.js';
import { copyTemplateOut } from './template-copy.js';

const engineVersion = readManifest(path.join(ROOT, 'packages/engine')).version;
let registry: PrivateRegistry | undefined;
let work: string;
let author: string;

beforeAll(async () => {
  requireBuilt(path.join(ROOT, 'packages/engine'));
  work = mkdtempSync(path.join(tmpdir(), 'weft-template-'));
  registry = await startPrivateRegistry();
  writeFileSync(path.join(work, 'publish.npmrc'), registry.npmrc([]));
  await mustRun(...pnpm(['--filter', './packages/engine', 'publish', '--registry', registry.url, '--no-git-checks', '--ignore-scripts']), ROOT, 120_000, {
    NPM_CONFIG_USERCONFIG: path.join(work, 'publish.npmrc'),
  });
  author = copyTemplateOut(
    path.join(work, 'weft-plugin-yours'),
    ['package.json', 'README.md', 'tsconfig.json', 'src', 'test', 'weft.config.yaml', 'pipeline.yaml', 'input.json'],
    `^${engineVersion}`,
  );
  writeFileSync(path.join(author, '.npmrc'), `${registry.npmrc(['@weft'])}cache-dir=${path.join(work, 'pnpm-cache')}\n`);
  await mustRun(...pnpm(['install', '--no-frozen-lockfile', '--reporter', 'append-only']), author, 150_000);
}, 240_000);

afterAll(async () => {
  expect(await closeRegistry(registry, work)).toBe(true);
});

describe('the template copied out of the repository', () => {
  it('builds with its own tsconfig to dist', async () => {
    const build = await sh(...pnpm(['run', 'build']), author);
    expect(build.stderr + build.stdout).not.toMatch(/error TS/);
    expect(build.code).toBe(0);
    expect(existsSync(path.join(author, 'dist/index.js'))).toBe(true);
    expect(existsSync(path.join(author, 'dist/index.d.ts'))).toBe(true);
  });

  it('passes its own tests against the published engine', async () => {
    const test = await sh(...pnpm(['run', 'test']), author, 120_000, { NO_COLOR: '1', FORCE_COLOR: '0' });
    expect(test.code, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/Test Files\s+\S*3 passed/);
    expect(readManifest(path.join(author, 'node_modules/@weft/engine')).version).toBe(engineVersion);
  }, 120_000);
});
