import { z } from 'zod';
import type { AuditFilter, AuditRecord } from '../ports/admin-store';
import type { Actor, Store } from '../ports/store';
import { parseAdminInput } from './quota-limits';
import { requireAdmin } from './require-admin';

const text = z.string().trim().max(200).optional();
export const auditFilterSchema = z
  .object({ actor: text, action: text, target: text, from: z.coerce.date().optional(), to: z.coerce.date().optional() })
  .strict()
  .refine((f) => !f.from || !f.to || f.from.getTime() <= f.to.getTime(), { message: '"from" must be before "to"' });
export const AUDIT_PAGE_MAX = 200;
/** The CSV export's ceiling. */
export const AUDIT_EXPORT_MAX = 50_000;

/** Audit rows newest first, filtered by actor, action, target and date range, a page at a time. */
export async function listAuditLog(opts: {
  store: Store;
  actor: Actor;
  filter?: AuditFilter;
  offset?: number;
  limit?: number;
  /** The CSV export may read past one page. */
  export?: boolean;
}): Promise<{ rows: AuditRecord[]; total: number; offset: number; limit: number }> {
  requireAdmin(opts.actor);
  const filter = parseAdminInput(auditFilterSchema, opts.filter ?? {}, 'audit filter');
  const clean: AuditFilter = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== '')) as AuditFilter;
  const max = opts.export ? AUDIT_EXPORT_MAX : AUDIT_PAGE_MAX;
  const limit = parseAdminInput(z.number().int().min(1).max(max), opts.limit ?? 50, 'page size');
  const offset = parseAdminInput(z.number().int().min(0).max(10_000_000), opts.offset ?? 0, 'offset');
  const page = await opts.store.admin.audit.list(clean, { offset, limit });
  return { ...page, offset, limit };
}
