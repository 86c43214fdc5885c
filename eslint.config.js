// One lint config for the whole monorepo.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/.next/**', '**/generated/**', 'test-results/**', '**/next-env.d.ts', '**/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
      'preserve-caught-error': 'off',
    },
  },
  {
    // Keep the container and VM engines out of the web app's import graph.
    files: ['apps/web/**/*.{ts,tsx}', 'packages/core/**/*.ts', 'packages/ui/**/*.{ts,tsx}'],
    ignores: ['apps/web/e2e/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'dockerode', message: 'dockerode belongs to apps/worker only' }], patterns: ['*libvirt*', '**/apps/worker/**'] }],
    },
  },
);
