// Lint rules that catch real defects; formatting is left to the editor.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ZOD_CLASSIC = ['zod', 'zod/v4', 'zod/v4/classic'].map((name) => ({
  name,
  message: "Use 'zod/mini' in Lambda code: classic zod adds ~90 KB gzip to every bundle.",
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.data/**', 'coverage/**', 'test/bench/results/**', 'test/bench/tmp/**', 'client/schema.d.ts', 'console/dist/**', 'test/browser/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', Response: 'readonly', Request: 'readonly', Headers: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // The domain, ports and use-cases must not know AWS or any provider SDK (architecture.md).
    files: ['shared/domain/**', 'shared/ports/**', 'shared/use-cases/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ZOD_CLASSIC,
        patterns: [
          { group: ['@aws-sdk/*', '@aws-lambda-powertools/*', '@googleapis/*', '@microsoft/*', 'tsdav', 'ical.js', 'oauth4webapi', 'jose', '@middy/*'], message: 'The domain, ports and use-cases stay free of AWS and provider SDKs.' },
          { group: ['**/storage/**', '**/messaging/**', '**/providers/**', '**/runtime/**', '**/recurrence/**'], message: 'Depend on a port, not an adapter.' },
        ],
      }],
    },
  },
  {
    files: ['shared/**', 'functions/**'],
    ignores: ['shared/domain/**', 'shared/ports/**', 'shared/use-cases/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: ZOD_CLASSIC }],
    },
  },
);
