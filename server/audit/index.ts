export { AuditLog, type AuditableChange } from './log.js';
export { maskForAudit, MASKED } from './mask.js';
export type { AuditActor, AuditEntry } from './types.js';
