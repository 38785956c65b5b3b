/**
 * The import escape: a file inside the root, or a task's unsaved `text`, that imports a module
 * outside the root must not make the language server reveal that module's content or location.
 * Real servers: one confined bridge and one paths-only bridge (both servers each) for the file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LspBridge } from '@weft/plugin-lsp';

const SECRET_VALUE = 'hunter2-outside-the-root';
const base = mkdtempSync(join(tmpdir(), 'weft-lsp-escape-'));
const root = join(base, 'root');
const write = (rel: string, text: string): void => {
  mkdirSync(dirname(join(base, rel)), { recursive: true });
  writeFileSync(join(base, rel), text);
};
write('outside/secret.ts', `export const SECRET = '${SECRET_VALUE}';\n`);
write('outside/secret.py', `SECRET = '${SECRET_VALUE}'\n`);
write(
  'root/tsconfig.json',
  JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', noEmit: true } }),
);
write('root/src/local.ts', "export const LOCAL = 'visible-in-root';\n");
write('root/src/local.py', "LOCAL = 'visible-in-root'\n");

interface Case {
  readonly language: string;
  readonly file: string;
  readonly text: string;
}

// Line 2 uses both names: SECRET (imported from outside the root) and LOCAL (from inside it).
const cases: Case[] = [
  {
    language: 'typescript',
    file: 'src/a.ts',
    text: "import { SECRET } from '../../outside/secret';\nimport { LOCAL } from './local';\nexport const x = SECRET + LOCAL;\n",
  },
  { language: 'python', file: 'src/a.py', text: 'from ...outside.secret import SECRET\nfrom .local import LOCAL\nx = SECRET + LOCAL\n' },
];
for (const c of cases) write(join('root', c.file), c.text);

const at = (c: Case, name: string): { line: number; character: number } => ({ line: 2, character: c.text.split('\n')[2]!.indexOf(name) + 1 });

let bridge: LspBridge;
let pathsOnly: LspBridge;

beforeAll(async () => {
  bridge = new LspBridge({ workspaceRoot: root });
  pathsOnly = new LspBridge({ workspaceRoot: root, sandbox: 'paths-only' });
  // Every cold start at once: each costs seconds.
  await Promise.all(cases.flatMap((c) => [bridge.symbols({ file: c.file }), pathsOnly.symbols({ file: c.file })]));
}, 120_000);

afterAll(async () => {
  await Promise.all([bridge.close(), pathsOnly.close()]);
  rmSync(base, { recursive: true, force: true });
});

describe.each(cases)('an import that leaves the root ($language)', (c) => {
  // An unsaved edit at a path that does not exist yet, imports the same.
  const sources = [
    { what: 'an in-root file', input: { file: c.file } },
    { what: "a task's text", input: { file: c.file.replace('/a.', '/unsaved.'), text: c.text } },
  ];

  it.each(sources)('resolves what lies inside the root from $what (control)', async ({ input }) => {
    const hover = await bridge.hover({ ...input, position: at(c, 'LOCAL') });
    expect(hover.contents).toContain('visible-in-root');
    const def = await bridge.definition({ ...input, position: at(c, 'LOCAL') });
    expect(def.locations).toEqual([expect.objectContaining({ file: c.file.replace('/a.', '/local.'), external: false })]);
  });

  it.each(sources)('confined, reveals neither the value nor the location of what lies outside, from $what', async ({ input }) => {
    const hover = await bridge.hover({ ...input, position: at(c, 'SECRET') });
    expect(hover.contents ?? '').not.toContain(SECRET_VALUE);
    const def = await bridge.definition({ ...input, position: at(c, 'SECRET') });
    expect(def.locations.filter((l) => l.file.includes('outside') || l.file.includes(base))).toEqual([]);
  });

  it.each(sources)('paths-only, still drops locations outside the root, though hover shows the value (weaker), from $what', async ({ input }) => {
    // The same query, unconfined: the server reads the file, so only the result filter stands.
    const hover = await pathsOnly.hover({ ...input, position: at(c, 'SECRET') });
    expect(hover.contents).toContain(SECRET_VALUE);
    const def = await pathsOnly.definition({ ...input, position: at(c, 'SECRET') });
    expect(def.locations.filter((l) => l.file.includes('outside') || l.file.includes(base))).toEqual([]);
    const refs = await pathsOnly.references({ ...input, position: at(c, 'SECRET') });
    expect(refs.locations.length).toBeGreaterThan(0);
    expect(refs.locations.filter((l) => l.external || l.file.includes(base))).toEqual([]);
  });
});

describe("the server's own installation", () => {
  it("keeps a definition in TypeScript's library files, marked external", async () => {
    const text = "export const upper = 'a'.toUpperCase();\n";
    const def = await bridge.definition({ file: 'src/lib-use.ts', text, position: { line: 0, character: text.indexOf('toUpperCase') + 1 } });
    expect(def.locations).toEqual([expect.objectContaining({ external: true, file: expect.stringMatching(/\/typescript\/lib\/lib\.es5\.d\.ts$/) })]);
  });
});
