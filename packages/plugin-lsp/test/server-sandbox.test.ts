/**
 * The server sandbox itself: what a confined server process, and a process it starts, can read
 * and write, and how the bridge fails closed without bubblewrap. The server here is a small probe
 * (test/fixtures/probe-server.mjs) that reports what it could read; it starts in well under a
 * second, where the real servers (import-escape.test.ts) take seconds.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LspBridge, findLspError, type LspConfigInput } from '@weft/plugin-lsp';

const probeScript = fileURLToPath(new URL('./fixtures/probe-server.mjs', import.meta.url));
const repoManifest = fileURLToPath(new URL('../../../package.json', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'weft-lsp-confine-'));
const root = join(base, 'root');
mkdirSync(join(root, 'src'), { recursive: true });
mkdirSync(join(base, 'outside'));
writeFileSync(join(root, 'src/a.probe'), 'probe me\n');
writeFileSync(join(base, 'outside/secret.txt'), 'outside the root\n');

const paths = {
  inRoot: join(root, 'src/a.probe'),
  outside: join(base, 'outside/secret.txt'),
  etc: '/etc/passwd',
  repo: repoManifest,
};
const writes = { root: join(root, 'written.txt'), outside: join(base, 'outside/written.txt'), tmp: '/tmp/weft-probe-written.txt' };

interface ProbeReport {
  read: Record<string, boolean>;
  childRead: Record<string, boolean | null>;
  write: Record<string, boolean>;
}

function probeConfig(extra: LspConfigInput = {}): LspConfigInput {
  return {
    workspaceRoot: root,
    servers: {
      probe: {
        command: process.execPath,
        args: [probeScript],
        languages: ['probe'],
        initializationOptions: { read: Object.values(paths), write: Object.values(writes) },
      },
    },
    languages: { probe: { extensions: ['.probe'] } },
    ...extra,
  };
}

async function probe(extra: LspConfigInput = {}): Promise<ProbeReport> {
  const bridge = new LspBridge(probeConfig(extra));
  try {
    const hover = await bridge.hover({ file: 'src/a.probe', position: { line: 0, character: 0 } });
    return JSON.parse(hover.contents!) as ProbeReport;
  } finally {
    await bridge.close();
  }
}

async function startFailure(extra: LspConfigInput): Promise<{ error: unknown; servers: number }> {
  const bridge = new LspBridge(probeConfig(extra));
  try {
    const error = await bridge.hover({ file: 'src/a.probe', position: { line: 0, character: 0 } }).then(
      () => undefined,
      (err: unknown) => err,
    );
    return { error, servers: bridge.servers().length };
  } finally {
    await bridge.close();
  }
}

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('a confined server (sandbox: bwrap, the default)', () => {
  it('reads the workspace root and nothing else of the host, nor does a process it starts', async () => {
    const report = await probe();
    const expected = { [paths.inRoot]: true, [paths.outside]: false, [paths.etc]: false, [paths.repo]: false };
    expect(report.read).toEqual(expected);
    expect(report.childRead).toEqual(expected);
  });

  it('writes nowhere but its private /tmp', async () => {
    const report = await probe();
    expect(report.write).toEqual({ [writes.root]: false, [writes.outside]: false, [writes.tmp]: true });
    expect(Object.values(writes).filter((p) => existsSync(p))).toEqual([]);
  });
});

describe("sandbox: 'paths-only'", () => {
  it('needs no bubblewrap, and its server reads outside the root (the weaker mode, as documented)', async () => {
    const report = await probe({ sandbox: 'paths-only', bwrapPath: join(base, 'no-bwrap-here') });
    expect(report.read).toMatchObject({ [paths.inRoot]: true, [paths.outside]: true, [paths.etc]: true });
    // Unconfined, its writes reached the host: remove them.
    for (const p of Object.values(writes)) rmSync(p, { force: true });
  });
});

describe('without a working bubblewrap', () => {
  it.each([
    ['a path that does not exist', join(base, 'no-bwrap-here'), 'was not found'],
    ['a name that is not on PATH', 'weft-no-such-bwrap', 'was not found on PATH'],
    ['an executable that cannot build a sandbox', '/bin/false', 'cannot create a sandbox'],
  ])('fails closed for %s, naming the package and the weaker option, before spawning a server', async (_what, bwrapPath, why) => {
    const { error, servers } = await startFailure({ bwrapPath });
    const err = findLspError(error, 'WEFT_LSP_SANDBOX_UNAVAILABLE');
    expect(err).toBeDefined();
    expect(err!.retryable).toBe(false);
    expect(err!.message).toContain(why);
    expect(err!.message).toContain('bubblewrap');
    expect(err!.message).toContain("'paths-only'");
    expect(servers).toBe(0);
  });
});
