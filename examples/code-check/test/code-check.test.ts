import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRepository, codeCheckEngine, codeCheckWorkers, runCheck } from '../run.mjs';

interface Report {
  summary: {
    ok: boolean;
    files: number;
    errors: number;
    languages: Record<string, { files: number; errors: number }>;
    problems: { file: string; line: number; severity: string; code?: string | number }[];
  };
  workers: Record<string, string[]>;
}

let repo: string;

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'weft-code-check-'));
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true } }),
    'src/ok.ts': 'export const answer: number = 42;\n',
    'src/bad.ts': "import { answer } from './ok.js';\nexport const label: string = answer;\n",
    'scripts/build.mjs': 'export const steps = ["compile", "pack"];\n',
    'tools/report.py': 'def total(xs: list[int]) -> int:\n    return sum(xs)\n\n\ntotal("oops")\n',
    'bin/fix-up': '#!/usr/bin/env python3\nprint("fine")\n',
    'node_modules/dep/index.ts': 'export const ignored: number = "never checked";\n',
    'README.md': '# not code\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, rel)), { recursive: true });
    writeFileSync(join(repo, rel), text);
  }
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('code-check example', () => {
  it('advertises one worker per language family plus a coordinator', () => {
    const workers = codeCheckWorkers() as { id: string; capabilities: string[] }[];
    expect(workers.map((w) => w.id)).toEqual(['coordinator', 'lsp-ts-1', 'lsp-ts-2', 'lsp-py']);
    expect(workers.find((w) => w.id === 'lsp-py')!.capabilities).toEqual(['lang:python']);
  });

  it('checks every file of a repository by language and sums up the errors', async () => {
    const report = (await checkRepository(repo)) as Report;
    const { summary } = report;
    expect(summary.ok).toBe(false);
    expect(summary.files).toBe(5);
    expect(summary.languages).toEqual({
      typescript: { files: 2, errors: 1, warnings: 0 },
      javascript: { files: 1, errors: 0, warnings: 0 },
      python: { files: 2, errors: 1, warnings: 0 },
    });
    expect(summary.problems.map((p) => `${p.file}:${p.line}:${p.code}`).sort()).toEqual(['src/bad.ts:1:2322', 'tools/report.py:4:reportArgumentType']);
    // Files went only to workers that offer their language.
    expect(report.workers['python']).toEqual(['lsp-py']);
    for (const w of [...report.workers['typescript']!, ...report.workers['javascript']!]) expect(w).toMatch(/^lsp-ts-/);
  }, 90_000);

  it('routes through plugin-ml with the p2c fallback while cold, and answers an unchanged summary from plugin-cache', async () => {
    const engine = await codeCheckEngine(repo);
    try {
      const first = (await runCheck(engine)) as Report & { decidedBy: Record<string, number>; answeredFromCache: Record<string, number> };
      // A cold model gives no pick, so every decision is the balancer's.
      expect(Object.keys(first.decidedBy)).toEqual(['p2c']);
      expect(first.answeredFromCache['summary']).toBe(0);
      const second = (await runCheck(engine)) as typeof first;
      expect(second.summary).toEqual(first.summary);
      // Language-server answers depend on files on disk and are never cached; the summary of identical diagnostics is.
      expect(second.answeredFromCache['summary']).toBe(1);
      expect(second.answeredFromCache['python']).toBe(0);
    } finally {
      await engine.close();
    }
  }, 120_000);
});
