import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed operations for the console: every query and mutation in src/ is checked against the API's
 * schema.graphql and gets result and variable types in src/gql/ (committed; `npm run codegen:check`
 * and test/e2e/console-codegen.test.ts fail when it is stale).
 */
const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: true,
        scalars: {
          DateTimeISO: 'string',
          JSON: 'unknown',
          JSONObject: 'Record<string, unknown>',
        },
      },
    },
  },
};

export default config;
