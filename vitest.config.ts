import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('./', import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against sources, so a change is tested without a build.
    alias: [
      // A subpath (`@weft/engine/fleet`) is the folder's index.ts; the root is src/index.ts.
      { find: /^@weft\/(engine|plugin-[a-z]+)\/([a-z-]+)$/, replacement: `${root}packages/$1/src/$2/index.ts` },
      { find: /^@weft\/(engine|plugin-[a-z]+)$/, replacement: `${root}packages/$1/src/index.ts` },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/**/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test-support/summary-reporter.ts'],
  },
});
