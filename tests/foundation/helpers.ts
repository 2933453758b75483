import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { GraphQLErrorBody } from '../support/admin.js';
import type { TestGateway } from '../support/gateway.js';

/** A GraphQL response read as text first, so tests can search the raw bytes. */
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
}

/** POSTs a body to /graphql exactly as given (no JSON encoding of our own beyond what the caller passes). */
export async function postGraphQL(url: string, body: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  let json: RawResponse['json'];
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`/graphql answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A GraphQL operation with an optional Bearer token, answered as RawResponse. */
export function gqlRaw(
  gateway: Pick<TestGateway, 'url'>,
  query: string,
  variables?: Record<string, unknown>,
  token?: string | null,
  extraHeaders: Record<string, string> = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (token) headers.authorization = `Bearer ${token}`;
  return postGraphQL(gateway.url, JSON.stringify({ query, variables }), headers);
}

/** The single error of a refused operation; fails the test when there is data or no error. */
export function onlyError(result: { errors?: readonly GraphQLErrorBody[] }): GraphQLErrorBody {
  if (!result.errors?.length) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.errors[0];
}

export function errorCodes(result: { errors?: readonly GraphQLErrorBody[] }): string[] {
  return (result.errors ?? []).map((e) => e.extensions?.code);
}

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Opens the gateway's SQLite file read-only through a separate connection (sees committed WAL pages). */
export function openSqlite(dataDir: string): Database.Database {
  return new Database(path.join(dataDir, 'gateway.db'), { readonly: true, fileMustExist: true });
}

/** The raw bytes of the database file and its write-ahead log, where committed rows live. */
export function databaseBytes(dataDir: string): Buffer {
  const file = path.join(dataDir, 'gateway.db');
  const parts = [readFileSync(file)];
  if (existsSync(`${file}-wal`)) parts.push(readFileSync(`${file}-wal`));
  return Buffer.concat(parts);
}

/** A positional parameter in the gateway's SQL dialect (SQLite `?`, PostgreSQL `$n`). */
function param(gateway: Pick<TestGateway, 'services'>, position: number): string {
  return gateway.services.dbTarget.kind === 'postgres' ? `$${position}` : '?';
}

/** One row as stored (raw column values), read through the gateway's own Prisma client. */
export async function storedRow<T extends Record<string, unknown>>(
  gateway: Pick<TestGateway, 'services'>,
  table: string,
  id: string,
): Promise<Record<string, unknown> & T> {
  const rows = await gateway.services.db.$queryRawUnsafe<Array<Record<string, unknown> & T>>(`SELECT * FROM "${table}" WHERE id = ${param(gateway, 1)}`, id);
  if (rows.length !== 1) throw new Error(`expected one ${table} row with id ${id}, found ${rows.length}`);
  return rows[0];
}

/** The number of rows in a table, counted by the database itself. */
export async function tableCount(gateway: Pick<TestGateway, 'services'>, table: string): Promise<number> {
  const rows = await gateway.services.db.$queryRawUnsafe<Array<{ n: number | bigint }>>(`SELECT COUNT(*) AS n FROM "${table}"`);
  return Number(rows[0].n);
}

/**
 * Everything the database holds, as bytes to search: on SQLite the file and its
 * write-ahead log; on PostgreSQL (no file to read) every row of every table as
 * stored, rendered as JSON text.
 */
export async function storedBytes(gateway: Pick<TestGateway, 'services' | 'dataDir'>): Promise<Buffer> {
  if (gateway.services.dbTarget.kind === 'sqlite') return databaseBytes(gateway.dataDir);
  const db = gateway.services.db;
  const tables = await db.$queryRawUnsafe<Array<{ name: string }>>(
    "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
  );
  if (tables.length === 0) throw new Error('no tables found in the PostgreSQL schema');
  const parts: Buffer[] = [];
  for (const { name } of tables) {
    const rows = await db.$queryRawUnsafe<Array<{ row: string }>>(`SELECT row_to_json(t)::text AS row FROM "${name.replaceAll('"', '""')}" t`);
    for (const { row } of rows) parts.push(Buffer.from(row));
  }
  return Buffer.concat(parts);
}

/**
 * Builds a selection set of every field of `typeName` (nested object fields one
 * level deep, their scalar fields only) from introspection, so that a new field
 * is covered without touching the test.
 */
export async function everyFieldSelection(gateway: TestGateway, typeName: string, depth = 1): Promise<string> {
  const typeQuery = `query($n: String!) { __type(name: $n) { fields { name args { name type { kind } } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }`;
  const named = (t: any): { kind: string; name: string } => (t.ofType ? named(t.ofType) : t);
  const build = async (name: string, level: number): Promise<string> => {
    const { __type } = await gateway.admin<{ __type: { fields: unknown[] | null } | null }>(typeQuery, { n: name });
    if (!__type?.fields) throw new Error(`type ${name} not found by introspection`);
    const parts: string[] = [];
    for (const field of __type.fields as any[]) {
      // Fields with required arguments cannot be selected blindly.
      if (field.args.some((a: any) => a.type.kind === 'NON_NULL')) continue;
      const inner = named(field.type);
      if (inner.kind === 'OBJECT') {
        if (level < depth) parts.push(`${field.name} { ${await build(inner.name, level + 1)} }`);
      } else {
        parts.push(field.name);
      }
    }
    return parts.join(' ');
  };
  return build(typeName, 0);
}
