/** Temporary workspaces with known errors, and a check that processes are gone. */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Workspace {
  readonly root: string;
  write(rel: string, text: string): string;
  remove(): void;
}

export function makeWorkspace(files: Record<string, string> = {}): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'weft-lsp-'));
  const write = (rel: string, text: string): string => {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    return p;
  };
  for (const [rel, text] of Object.entries(files)) write(rel, text);
  return { root, write, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** A TypeScript project with one type error (a.ts line 2) and a function defined in b.ts. */
export const TS_FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true } }),
  'src/b.ts': '/** Says hello to someone. */\nexport function greet(name: string): string {\n  return `hello ${name}`;\n}\n',
  'src/a.ts': "import { greet } from './b.js';\nconst count: number = 'three';\nexport const message = greet('weft') + count;\n",
};

/** Python with a wrong argument type (line 4) and an undefined name (line 5). */
export const PY_FILES: Record<string, string> = {
  'tools/calc.py': 'def double(x: int) -> int:\n    return x * 2\n\n\ndouble("two")\nprint(missing_name)\n',
};

/** Whether a process runs: `kill(pid, 0)`, not counting a zombie awaiting its reaper. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return procStat(pid)?.state !== 'Z';
}

/** Live (non-zombie) processes of the group led by `pid`: the server and what it spawned. */
export function groupMembers(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => {
      const st = procStat(p);
      return st !== undefined && st.pgrp === pid && st.state !== 'Z';
    });
}

function procStat(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing paren are fixed.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0]!, pgrp: Number(rest[2]) };
  } catch {
    return undefined;
  }
}

export async function until(cond: () => boolean, timeoutMs: number, stepMs = 25): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return cond();
}
