import { describe, expect, it } from 'vitest';
import { LspBridge, lspConfigSchema } from '@weft/plugin-lsp';
import { LanguageTable, languageCapabilities, shebangInterpreter } from '@weft/plugin-lsp/languages';
import { serverSpecs } from '@weft/plugin-lsp/servers';
import { makeWorkspace } from './workspace.js';

describe('language detection', () => {
  const table = new LanguageTable();

  it.each([
    ['src/app.ts', 'typescript'],
    ['src/View.TSX', 'typescript'],
    ['lib/index.mjs', 'javascript'],
    ['lib/old.cjs', 'javascript'],
    ['tools/run.py', 'python'],
    ['stubs/mod.pyi', 'python'],
  ])('detects %s by extension as %s', (file, language) => {
    expect(table.detect(file)).toBe(language);
  });

  it.each([
    ['#!/usr/bin/env python3', 'python'],
    ['#!/usr/bin/python3.12 -u', 'python'],
    ['#!/usr/bin/env -S node --enable-source-maps', 'javascript'],
    ['#!/usr/local/bin/node', 'javascript'],
    ['#!/usr/bin/env tsx', 'typescript'],
  ])('detects an extensionless script by its shebang %s', (line, language) => {
    expect(table.detect('bin/tool', line)).toBe(language);
  });

  it('says nothing for unknown files and shebangs', () => {
    expect(table.detect('README')).toBeUndefined();
    expect(table.detect('bin/tool', '#!/bin/bash')).toBeUndefined();
    expect(table.detect('bin/tool', 'print(1)')).toBeUndefined();
    expect(shebangInterpreter('#!/usr/bin/env FOO=1 ruby')).toBe('ruby');
  });

  it('opens .tsx and .jsx with the React language ids servers expect', () => {
    expect(table.documentLanguageId('a.tsx', 'typescript')).toBe('typescriptreact');
    expect(table.documentLanguageId('a.jsx', 'javascript')).toBe('javascriptreact');
    expect(table.documentLanguageId('a.ts', 'typescript')).toBe('typescript');
  });

  it('learns languages from configuration', () => {
    const custom = new LanguageTable({ rust: { extensions: ['.rs'], shebangs: ['rust-script'] } });
    expect(custom.detect('src/main.rs')).toBe('rust');
    expect(custom.detect('x', '#!/usr/bin/env rust-script')).toBe('rust');
    expect(custom.detect('a.py')).toBe('python');
  });
});

describe('capabilities a worker advertises and a step asks for', () => {
  it('advertises the languages whose servers are installed', () => {
    expect(languageCapabilities().sort()).toEqual(['lang:javascript', 'lang:python', 'lang:typescript']);
  });

  it('leaves out a server whose command is missing, and a disabled one', () => {
    const caps = languageCapabilities({ servers: { pyright: false, rust: { command: '/nonexistent/rust-analyzer', languages: ['rust'] } } });
    expect(caps.sort()).toEqual(['lang:javascript', 'lang:typescript']);
  });

  it('gives the capability of a file, reading its shebang when it has no extension', async () => {
    const ws = makeWorkspace({ 'bin/check': '#!/usr/bin/env python3\nprint("ok")\n', 'src/a.ts': '' });
    const bridge = new LspBridge({ workspaceRoot: ws.root });
    try {
      expect(bridge.capabilitiesFor('src/a.ts')).toEqual(['lang:typescript']);
      expect(bridge.capabilitiesFor('bin/check')).toEqual(['lang:python']);
      expect(bridge.languages()).toContain('python');
    } finally {
      await bridge.close();
      ws.remove();
    }
  });
});

describe('server registry configuration', () => {
  it('changes only the given fields of a built-in server', () => {
    const { servers } = lspConfigSchema.parse({ servers: { pyright: { settings: { python: { pythonPath: '/usr/bin/python3' } } } } });
    const pyright = serverSpecs(servers).find((s) => s.name === 'pyright')!;
    expect(pyright.command).toBe(process.execPath);
    expect(pyright.args.join(' ')).toContain('langserver.index.js');
    expect(pyright.languages).toEqual(['python']);
    expect(pyright.settings).toEqual({ python: { pythonPath: '/usr/bin/python3' } });
  });

  it('requires a command and languages for a server that is not built in, naming the field', () => {
    const res = lspConfigSchema.safeParse({ servers: { rust: { args: ['--stdio'] } } });
    expect(res.success).toBe(false);
    expect(res.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['servers.rust.command', 'servers.rust.languages']);
  });
});
