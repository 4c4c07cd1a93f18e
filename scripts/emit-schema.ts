import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../server/src/common/paths';
import { buildSchemaForEmit, printSchemaSdl } from '../server/src/graphql/schema';

/** Writes schema.graphql, the committed contract for client apps (a test fails when it is stale). */
const schema = await buildSchemaForEmit();
writeFileSync(path.join(REPO_ROOT, 'schema.graphql'), printSchemaSdl(schema));
console.log('wrote schema.graphql');
