import { auditToCsv, isAppError, listAuditLog, type AuditFilter } from '@genos/core';
import { auth } from '@/server/auth/auth';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

/**
 * The audit rows matching the page's filter (actor, action, target, from,
 * to) as CSV, administrators only: 401 signed out, 403 for everyone else.
 */
export async function GET(req: Request): Promise<Response> {
  const session = await auth();
  if (!session?.user?.id) return new Response('sign in first\n', { status: 401, headers: { 'content-type': 'text/plain' } });
  const { prisma, store } = services();
  const user = await prisma.user.findUnique({ where: { id: session.user.id }, select: { role: true, disabledAt: true } });
  const isAdmin = user?.role === 'admin' && !user.disabledAt;
  const params = new URL(req.url).searchParams;
  const filter: Record<string, string> = {};
  for (const k of ['actor', 'action', 'target', 'from', 'to'] as const) {
    const v = params.get(k);
    if (v) filter[k] = v;
  }
  try {
    const page = await listAuditLog({
      store,
      actor: { kind: 'user', id: session.user.id, isAdmin, ip: req.headers.get('x-forwarded-for')?.split(',')[0]?.trim() ?? null },
      filter: filter as AuditFilter,
      limit: 50_000,
      export: true,
    });
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    return new Response(auditToCsv(page.rows), {
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="genos-audit-${stamp}.csv"`, 'cache-control': 'no-store' },
    });
  } catch (e) {
    if (isAppError(e)) {
      const status = e.code === 'FORBIDDEN' ? 403 : e.code === 'UNAUTHENTICATED' ? 401 : e.code === 'VALIDATION' ? 400 : 500;
      return new Response(`${e.message}\n`, { status, headers: { 'content-type': 'text/plain' } });
    }
    throw e;
  }
}
