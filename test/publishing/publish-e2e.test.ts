/**
 * The release path as a user walks it: every @weft/* package and the template plugin published
 * to a private registry on loopback, then installed by name into a fresh project outside the
 * workspace, where `weft run` loads the plugin from its config and an out-of-range plugin is
 * refused with WEFT_PLUGIN_INCOMPATIBLE.
 *
 * Where third-party dependencies come from: the fresh project's .npmrc routes only the `@weft`
 * and `@acme` scopes to the loopback registry; every other package resolves from whatever
 * registry the machine's own npm configuration names, as in any user's project (no host is
 * written anywhere). The registry itself has no uplinks, so it serves only what was published to
 * it. The project gets its own metadata cache, so nothing cached from an earlier run (on the
 * same port, say) can stand in for what this run published; tarballs still come from the shared
 * content-addressed store when they are there.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mustRun, pnpm, sh } from './commands.js';
import { ROOT, publishableDirs, readManifest, requireBuilt } from './packing.js';
import { closeRegistry, startPrivateRegistry, type PrivateRegistry } from './private-registry.js';
import { TEMPLATE, copyTemplateOut } from './template-copy.js';

const TEMPLATE_NAME = readManifest(TEMPLATE).name;
const FUTURE_NAME = '@acme/weft-plugin-future';
const engineVersion = readManifest(path.join(ROOT, 'packages/engine')).version;

let registry: PrivateRegistry | undefined;
let work: string;
let project: string;

/** npm publishes; each command gets the registry on its command line and a throwaway userconfig. */
async function publish(target: string, cwd: string): Promise<void> {
  await mustRun(
    'npm',
    ['publish', target, '--registry', registry!.url, '--userconfig', path.join(work, 'publish.npmrc'), '--ignore-scripts', '--access', 'public'],
    cwd,
  );
}

/** The built template, prepared for publishing as its README says. */
function authorCopyOfTemplate(): string {
  return copyTemplateOut(path.join(work, 'author/weft-plugin-template'), ['package.json', 'README.md', 'dist'], `^${engineVersion}`);
}

/** A plugin built for an engine that does not exist yet. */
function futurePlugin(): string {
  const dir = path.join(work, 'author/weft-plugin-future');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify(
      {
        name: FUTURE_NAME,
        version: '1.0.0',
        type: 'module',
        main: './index.js',
        exports: { '.': './index.js' },
        peerDependencies: { '@weft/engine': '^9.0.0' },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    path.join(dir, 'index.js'),
    `import { definePlugin } from '@weft/engine';\nexport default definePlugin({ name: '${FUTURE_NAME}', version: '1.0.0', engine: '^9.0.0', setup() {} });\n`,
  );
  return dir;
}

beforeAll(async () => {
  for (const dir of [...publishableDirs(), TEMPLATE]) requireBuilt(dir);
  work = mkdtempSync(path.join(tmpdir(), 'weft-publish-'));
  registry = await startPrivateRegistry();
  writeFileSync(path.join(work, 'publish.npmrc'), registry.npmrc([]));
  await Promise.all([
    // The release path: `pnpm publish` rewrites workspace: ranges, as `changeset publish` does.
    mustRun(...pnpm(['-r', '--filter', './packages/*', 'publish', '--registry', registry.url, '--no-git-checks', '--ignore-scripts']), ROOT, 120_000, {
      NPM_CONFIG_USERCONFIG: path.join(work, 'publish.npmrc'),
    }),
    publish('.', authorCopyOfTemplate()),
    publish('.', futurePlugin()),
  ]);

  project = path.join(work, 'app');
  mkdirSync(project);
  writeFileSync(path.join(project, '.npmrc'), `${registry.npmrc(['@weft', '@acme'])}cache-dir=${path.join(work, 'pnpm-cache')}\n`);
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify(
      { name: 'app', private: true, type: 'module', dependencies: { '@weft/engine': `^${engineVersion}`, [TEMPLATE_NAME]: '^0.1.0', [FUTURE_NAME]: '1.0.0' } },
      null,
      2,
    ),
  );
  await mustRun(...pnpm(['install', '--no-frozen-lockfile', '--reporter', 'append-only']), project, 120_000);
}, 240_000);

afterAll(async () => {
  expect(await closeRegistry(registry, work)).toBe(true);
});

describe('publishing to a private registry', () => {
  it('serves every published package by name', async () => {
    const names = [...publishableDirs().map((d) => readManifest(d).name), TEMPLATE_NAME, FUTURE_NAME];
    const found = await Promise.all(names.map(async (n) => (await fetch(`${registry!.url}${n.replace('/', '%2f')}`)).status));
    expect(Object.fromEntries(names.map((n, i) => [n, found[i]]))).toEqual(Object.fromEntries(names.map((n) => [n, 200])));
  });

  it('publishes ranges a user can install: workspace: rewritten, plugins peer on the engine line', async () => {
    for (const dir of publishableDirs()) {
      const { name, version } = readManifest(dir);
      const doc = (await (await fetch(`${registry!.url}${name.replace('/', '%2f')}`)).json()) as {
        versions: Record<string, Record<string, Record<string, string> | undefined>>;
      };
      const published = doc.versions[version]!;
      const ranges = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((k) => Object.values(published[k] ?? {}));
      expect(
        ranges.filter((r) => r.startsWith('workspace:')),
        name,
      ).toEqual([]);
      if (name !== '@weft/engine') expect(published['peerDependencies']?.['@weft/engine'], name).toBe(`^${engineVersion}`);
    }
  });

  it('installs the engine the workspace published, from the private registry', async () => {
    const lock = readFileSync(path.join(project, 'pnpm-lock.yaml'), 'utf8');
    const doc = (await (await fetch(`${registry!.url}@weft%2fengine`)).json()) as { versions: Record<string, { dist: { integrity: string } }> };
    const integrity = doc.versions[engineVersion]?.dist.integrity;
    expect(integrity).toMatch(/^sha512-/);
    expect(lock).toContain(`'@weft/engine@${engineVersion}':\n    resolution: {integrity: ${integrity}}`);
    expect(readManifest(path.join(project, 'node_modules/@weft/engine')).version).toBe(engineVersion);
    expect(readManifest(path.join(project, 'node_modules', TEMPLATE_NAME)).private).toBeUndefined();
  });

  // The two CLI runs are independent processes in one project: run them side by side.
  it.concurrent('runs a pipeline whose config loads the plugin by package name', async ({ expect }) => {
    writeFileSync(
      path.join(project, 'weft.config.yaml'),
      [
        `plugins:`,
        `  - name: '${TEMPLATE_NAME}'`,
        `    config: { minWordLength: 3 }`,
        `workers:`,
        `  - { id: left, concurrency: 2 }`,
        `  - { id: right, concurrency: 2 }`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      path.join(project, 'pipeline.yaml'),
      [
        'name: words',
        'strategy: most-reliable',
        'steps:',
        '  - id: count',
        '    task: template.wordCount',
        '    input: { text: { $ref: input.text } }',
        '',
      ].join('\n'),
    );
    const run = await sh(
      path.join(project, 'node_modules/.bin/weft'),
      ['run', 'pipeline.yaml', '--json', '--input', '{"text":"to be or not to be, that is the question"}'],
      project,
    );
    expect(run.stderr).not.toContain('WEFT_');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { status: string; output: unknown; steps: Record<string, { workers: string[] }> };
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ count: { words: 4, top: 'not' } });
    // Both workers start equal; the strategy's deterministic tie-break picks by id.
    expect(result.steps['count']?.workers).toEqual(['left']);
  });

  it.concurrent('refuses a plugin whose engine range excludes this engine, with the documented code', async ({ expect }) => {
    writeFileSync(path.join(project, 'future.config.yaml'), `plugins:\n  - '${FUTURE_NAME}'\n`);
    writeFileSync(path.join(project, 'noop.yaml'), 'name: noop\nsteps: []\n');
    const run = await sh(path.join(project, 'node_modules/.bin/weft'), ['run', 'noop.yaml', '--config', 'future.config.yaml'], project);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`WEFT_PLUGIN_INCOMPATIBLE: Plugin "${FUTURE_NAME}"@1.0.0 requires @weft/engine ^9.0.0, but this engine is ${engineVersion}`);
  });
});
