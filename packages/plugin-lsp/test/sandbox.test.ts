import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LspBridge, isLspError } from '@weft/plugin-lsp';
import { resolveInRoot } from '@weft/plugin-lsp/servers';
import { makeWorkspace } from './workspace.js';

const ws = makeWorkspace({ 'src/a.ts': 'export const a = 1;\n' });
const outside = makeWorkspace({ 'secret.ts': 'export const key = "s3cr3t";\n' });
symlinkSync(join(outside.root, 'secret.ts'), join(ws.root, 'src/leak.ts'));
symlinkSync(outside.root, join(ws.root, 'elsewhere'));
symlinkSync(join(ws.root, 'src'), join(ws.root, 'alias'));
// Links to files that do not exist yet: one leading out, one staying in, and a loop.
symlinkSync(join(outside.root, 'not-yet.ts'), join(ws.root, 'src/dangling-out.ts'));
symlinkSync(join(outside.root, 'not-yet-dir'), join(ws.root, 'dangling-dir'));
symlinkSync('../src/later.ts', join(ws.root, 'src/dangling-in.ts'));
symlinkSync('loop-b.ts', join(ws.root, 'src/loop-a.ts'));
symlinkSync('loop-a.ts', join(ws.root, 'src/loop-b.ts'));
const root = new LspBridge({ workspaceRoot: ws.root }).workspaceRoot;

afterAll(() => {
  ws.remove();
  outside.remove();
});

function refusal(p: string): unknown {
  try {
    resolveInRoot(root, p);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('workspace sandbox', () => {
  it('resolves relative and absolute paths inside the root', () => {
    expect(resolveInRoot(root, 'src/a.ts')).toMatchObject({ rel: 'src/a.ts', exists: true });
    expect(resolveInRoot(root, join(root, 'src/a.ts'))).toMatchObject({ rel: 'src/a.ts', exists: true });
    expect(resolveInRoot(root, 'src/../src/a.ts').rel).toBe('src/a.ts');
    expect(resolveInRoot(root, 'src/new-file.ts')).toMatchObject({ rel: 'src/new-file.ts', exists: false });
  });

  it('follows symlinks that stay inside the root', () => {
    expect(resolveInRoot(root, 'alias/a.ts')).toMatchObject({ rel: 'src/a.ts', exists: true });
    // The link's target does not exist yet, so the file is new, at the place the link names.
    expect(resolveInRoot(root, 'src/dangling-in.ts')).toMatchObject({ rel: 'src/later.ts', exists: false });
  });

  it.each([
    ['a parent-directory escape', '../x.ts'],
    ['a deep parent-directory escape', 'src/../../../etc/passwd'],
    ['an absolute path elsewhere', '/etc/passwd'],
    ['a symlinked file leading out', 'src/leak.ts'],
    ['a symlinked directory leading out', 'elsewhere/secret.ts'],
    ['a new file under a symlinked directory leading out', 'elsewhere/new.ts'],
    ['a NUL byte', 'src/a.ts\0.py'],
    ['a symlink leading out to a file that does not exist yet', 'src/dangling-out.ts'],
    ['a new file under a symlink leading out to a directory that does not exist yet', 'dangling-dir/new.ts'],
    ['a symlink loop', 'src/loop-a.ts'],
  ])('refuses %s with WEFT_LSP_PATH_OUTSIDE_ROOT', (_what, p) => {
    const err = refusal(p);
    expect(isLspError(err, 'WEFT_LSP_PATH_OUTSIDE_ROOT')).toBe(true);
    expect((err as Error).message).toContain(root);
    expect((err as { retryable: boolean }).retryable).toBe(false);
  });

  it('refuses a task root outside the workspace and a file outside its root, before any server starts', async () => {
    const bridge = new LspBridge({ workspaceRoot: ws.root });
    try {
      await expect(bridge.symbols({ root: '..', file: 'a.ts' })).rejects.toMatchObject({ code: 'WEFT_LSP_PATH_OUTSIDE_ROOT' });
      await expect(bridge.hover({ file: 'elsewhere/secret.ts', position: { line: 0, character: 0 } })).rejects.toMatchObject({
        code: 'WEFT_LSP_PATH_OUTSIDE_ROOT',
      });
      await expect(bridge.scan({ dir: '../' })).rejects.toMatchObject({ code: 'WEFT_LSP_PATH_OUTSIDE_ROOT' });
      // Given text, a file need not exist; a link to a file outside that does not exist yet is still refused.
      await expect(bridge.diagnostics({ file: 'src/dangling-out.ts', text: 'export const x = 1;\n' })).rejects.toMatchObject({
        code: 'WEFT_LSP_PATH_OUTSIDE_ROOT',
      });
      expect(bridge.servers()).toEqual([]);
    } finally {
      await bridge.close();
    }
  });

  it('refuses a workspace root that does not exist, naming it', () => {
    expect(() => new LspBridge({ workspaceRoot: join(ws.root, 'missing') })).toThrow(
      expect.objectContaining({ code: 'WEFT_LSP_FILE_NOT_FOUND', message: expect.stringContaining('missing') }),
    );
  });

  it('does not follow symlinks out of the root when scanning', async () => {
    mkdirSync(join(ws.root, 'py'), { recursive: true });
    writeFileSync(join(ws.root, 'py/tool'), '#!/usr/bin/env python3\nprint(1)\n');
    const bridge = new LspBridge({ workspaceRoot: ws.root });
    try {
      const scan = await bridge.scan();
      expect(scan.files).toEqual([
        { file: 'py/tool', language: 'python' },
        { file: 'src/a.ts', language: 'typescript' },
      ]);
      expect(scan.byLanguage).toMatchObject({ python: ['py/tool'], typescript: ['src/a.ts'], javascript: [] });
      expect(scan.languages).toEqual(['python', 'typescript']);
    } finally {
      await bridge.close();
    }
  });
});
