/**
 * The language servers are optional peers: the built plugin, installed in a project that lacks
 * them, loads, advertises no language, and names the package to install when a task needs one.
 * The project is laid out by hand (the built package and its real dependencies), so no registry
 * is involved; it needs `pnpm build` first, as the publishing tests do.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const engineDir = fileURLToPath(new URL('../../engine', import.meta.url));
const SERVERS = ['typescript-language-server', 'typescript', 'pyright'];
let project: string;

/** Links a package the plugin's own workspace install resolved into the project's node_modules. */
function link(name: string): void {
  const target = join(project, 'node_modules', name);
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(realpathSync(join(pkgDir, 'node_modules', name)), target);
}

interface Report {
  languages: string[];
  errors: Record<string, { code?: string; message: string } | null>;
}

/** Loads the built plugin in the project and, with `tasks`, asks for one TypeScript and one Python task. */
function load(tasks: boolean): Promise<Report> {
  const script = `
    import { LspBridge } from '@weft/plugin-lsp';
    const bridge = new LspBridge({ workspaceRoot: 'ws' });
    const errors = {};
    for (const file of ${tasks ? "['a.ts', 'b.py']" : '[]'}) {
      // Text, so the check needs no file on disk; the server never starts when it is missing.
      errors[file] = await bridge.symbols({ file, text: '' }).then(() => null, (e) => ({ code: e.code, message: e.message }));
    }
    console.log(JSON.stringify({ languages: bridge.languages(), errors }));
    await bridge.close();
  `;
  // pnpm's shims put the workspace's whole virtual store on NODE_PATH, where require() would find
  // the servers; a user's project has no such path.
  const env = { ...process.env };
  delete env['NODE_PATH'];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: project, env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Report);
    });
  });
}

beforeAll(() => {
  for (const built of [join(pkgDir, 'dist/index.js'), join(engineDir, 'dist/index.js')]) {
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`pnpm build\` before this test.`);
  }
  project = mkdtempSync(join(tmpdir(), 'weft-lsp-peers-'));
  mkdirSync(join(project, 'ws'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  // The plugin as a user installs it: its package.json and dist, beside its runtime dependencies.
  const installed = join(project, 'node_modules/@weft/plugin-lsp');
  mkdirSync(installed, { recursive: true });
  cpSync(join(pkgDir, 'package.json'), join(installed, 'package.json'));
  cpSync(join(pkgDir, 'dist'), join(installed, 'dist'), { recursive: true });
  symlinkSync(realpathSync(engineDir), join(project, 'node_modules/@weft/engine'));
  for (const dep of ['zod', 'vscode-jsonrpc', 'vscode-languageserver-protocol', '@opentelemetry/api']) link(dep);
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('language servers as optional peer dependencies', () => {
  it('loads without them, advertises no language, and names what to install for each', async () => {
    const report = await load(true);
    expect(report.languages).toEqual([]);
    expect(report.errors['a.ts']).toMatchObject({
      code: 'WEFT_LSP_SERVER_UNAVAILABLE',
      message: expect.stringContaining('npm install typescript-language-server@5 typescript@5'),
    });
    expect(report.errors['b.py']).toMatchObject({ code: 'WEFT_LSP_SERVER_UNAVAILABLE', message: expect.stringContaining('npm install pyright') });
  });

  it('finds them once the project installs them', async () => {
    for (const name of SERVERS) link(name);
    // No task: that would start the servers, which the other tests do.
    const report = await load(false);
    expect(report.languages.sort()).toEqual(['javascript', 'python', 'typescript']);
  });
});
