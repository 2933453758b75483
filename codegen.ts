import type { CodegenConfig } from '@graphql-codegen/cli';

/** Typed GraphQL documents for the admin UI, from the committed schema.graphql. */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['client/src/**/*.{ts,svelte}', '!client/src/lib/graphql/generated/**'],
  ignoreNoDocuments: true,
  generates: {
    'client/src/lib/graphql/generated/': {
      preset: 'client',
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
