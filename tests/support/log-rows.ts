import type { RequestLogRow } from '../../server/core/request-log-row.js';

/** A log row as Prisma's createMany takes it: a JSON column without a value is left out (Prisma refuses a plain null). */
export const prismaRow = ({ rulesApplied, ...row }: RequestLogRow) => (rulesApplied ? { ...row, rulesApplied } : row);
