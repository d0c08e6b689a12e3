// ESLint for the TypeScript tree (`npm run lint`, zero warnings). Formatting is Prettier's job (`npm run format:check`),
// so only rules that catch bugs or unsafe patterns are on. The promise rules need type information: tsconfig.eslint.json
// is tsconfig.json widened to the tests.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const typedRules = {
  // A promise nobody awaits loses its rejection: the gateway crashes or a test passes before it ran.
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
  '@typescript-eslint/await-thenable': 'error',
  // Passing on a value that was caught (typed unknown or any) is fine; building a non-Error to throw is not.
  '@typescript-eslint/only-throw-error': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
  '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
  '@typescript-eslint/no-for-in-array': 'error',
  '@typescript-eslint/no-implied-eval': 'error',
  '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
  '@typescript-eslint/return-await': ['error', 'in-try-catch'],
  '@typescript-eslint/no-base-to-string': 'error',
  '@typescript-eslint/require-array-sort-compare': ['error', { ignoreStringArrays: true }],
  '@typescript-eslint/no-array-delete': 'error',
  '@typescript-eslint/restrict-plus-operands': 'error',
  '@typescript-eslint/no-unsafe-enum-comparison': 'error',
  // A `let` assigned once but read earlier by a closure (signal handlers set up before the daemon exists) stays a let.
  'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
  eqeqeq: ['error', 'smart'],
  'no-self-compare': 'error',
  'no-unreachable-loop': 'error',
  '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
};

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'data/'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    ignores: ['ui/**'],
    languageOptions: { parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname } },
    rules: typedRules,
  },
  {
    // The dashboard's browser code (bundled by scripts/build-dashboard.js), type-checked with the DOM's types.
    files: ['ui/**/*.ts', 'ui/**/*.tsx'],
    languageOptions: { parserOptions: { project: './ui/tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: typedRules,
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The gateway logs through its logger (levels, JSON, secret redaction); only the CLI, benchmarks and scripts print.
    files: ['**/*.ts', '**/*.js'],
    ignores: ['src/cli.ts', 'src/bench/**', 'scripts/**'],
    rules: { 'no-console': 'error' },
  },
);
