import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string): string => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against sources, so a change is tested without a build.
    alias: {
      // Subpaths first: an alias matches by prefix.
      '@weft/engine/telemetry': fileURLToPath(new URL('./packages/engine/src/telemetry/index.ts', import.meta.url)),
      '@weft/engine/dashboard': fileURLToPath(new URL('./packages/engine/src/dashboard/index.ts', import.meta.url)),
      '@weft/engine/dlq': fileURLToPath(new URL('./packages/engine/src/dlq/index.ts', import.meta.url)),
      '@weft/engine': src('engine'),
      '@weft/plugin-balancer': src('plugin-balancer'),
      '@weft/plugin-ml': src('plugin-ml'),
      '@weft/plugin-cache': src('plugin-cache'),
      '@weft/plugin-lsp': src('plugin-lsp'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/**/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test-support/summary-reporter.ts'],
  },
});
