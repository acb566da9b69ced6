import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The dependency direction of DESIGN §1: a folder of src/ may import from its own folder, from the
// folders after it in this list, and from the leaves; the leaves import only leaves.
const LAYERS = ['cli', 'api', 'app', 'scheduler', 'orchestration', 'ituv', 'project', 'blueprint'];
const LEAVES = ['contracts', 'events', 'config', 'db', 'errors'];

/** An import of a top-level folder of src/ by a relative path, e.g. `../../app/tasks.js`. */
const importOf = (folders) => `^(?:\\.\\./)+(?:${folders.join('|')})(?:/|\\.js$)`;

const layerRules = [
  ...LAYERS.map((layer, index) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: importOf(LAYERS.slice(0, index)),
              message: `src/${layer} may import only ${LAYERS.slice(index + 1).join(', ') || 'no layer'} and the leaves (DESIGN §1)`,
            },
          ],
        },
      ],
    },
  })),
  {
    files: LEAVES.flatMap((leaf) => [`src/${leaf}/**/*.ts`, `src/${leaf}.ts`]),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: importOf(LAYERS),
              message: 'the leaves (contracts, events, config, db, errors) import only leaves (DESIGN §1)',
            },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'coverage/**', 'examples/**/node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layerRules,
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
