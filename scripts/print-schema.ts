// Writes the GraphQL schema as SDL to schema.graphql (used by codegen.ts for the
// client's typed documents, and by automation that wants the contract).
import { writeFileSync } from 'node:fs';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from '../server/graphql/schema.js';

export const schemaSdl = () => printSchema(lexicographicSortSchema(schema)) + '\n';

if (process.argv[1]?.endsWith('print-schema.ts')) {
  writeFileSync(new URL('../schema.graphql', import.meta.url), schemaSdl());
}
