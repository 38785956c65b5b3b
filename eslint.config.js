import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Type-aware linting (typescript-eslint's recommendedTypeChecked): floating and misused promises,
// unsafe `any` flows and unbound methods are caught with the compiler's types. The root
// tsconfig.json covers sources, tests, benches and examples (tsx reads it too, when tests spawn
// workers from source); `.js`/`.mjs` files have no types and get the untyped rules only.
export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench/results/**', 'examples/**/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json'], tsconfigRootDir: import.meta.dirname },
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        performance: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        structuredClone: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // A deliberate fire-and-forget call is written `void promise` and must handle its own errors.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      '@typescript-eslint/no-misused-promises': 'error',
      // An AbortSignal's reason and a caught `unknown` are passed on as they came.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      'no-console': 'error',
    },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  {
    // The dashboard's page: plain browser modules, served as written.
    files: ['packages/engine/web/**/*.js'],
    languageOptions: {
      globals: { document: 'readonly', window: 'readonly', location: 'readonly', history: 'readonly', EventSource: 'readonly', URLSearchParams: 'readonly' },
    },
  },
  {
    files: ['**/test/**', '**/bench/**', 'examples/**', '**/cli/**', '.ci/**', 'test-support/**'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // Tests write handlers and stores as `async` to match the contracts without awaiting, and pass
    // methods to `expect`; both are intended there.
    files: ['**/test/**', 'test-support/**'],
    rules: {
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // vitest's asymmetric matchers (`expect.stringContaining(...)`) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);
