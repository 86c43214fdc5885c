import { AppError } from '../errors/app-error';
import type { Actor, Store, WarmPoolRecord } from '../ports/store';
import { checkSpecSupported } from '../spec/check-supported';
import { DEPLOYMENT_CAPABILITIES, type DeploymentCapabilities } from '../spec/deployment-capabilities';
import { environmentSpecSchema } from '../spec/environment-spec';
import { specKey } from '../spec/spec-key';
import { poolNameSchema, poolSizeSchema } from './pool-input';
import { parseAdminInput } from './quota-limits';
import { requireAdmin } from './require-admin';

/**
 * Creates a warm pool: `size` desktops of `spec` kept running for whoever
 * asks for the same spec next (any name). The spec must be one this
 * deployment runs; one pool per spec and per name. The first refill is
 * queued in the same transaction.
 */
export async function createPool(opts: { store: Store; actor: Actor; name: string; spec: unknown; size: number; enabled?: boolean; capabilities?: DeploymentCapabilities }): Promise<WarmPoolRecord> {
  const actor = requireAdmin(opts.actor);
  const name = parseAdminInput(poolNameSchema, opts.name, 'pool name');
  const size = parseAdminInput(poolSizeSchema, opts.size, 'pool size');
  const parsed = environmentSpecSchema.safeParse(opts.spec);
  if (!parsed.success) {
    throw new AppError('VALIDATION', 'the pool spec is invalid', { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  }
  const spec = parsed.data;
  const problems = checkSpecSupported(spec, opts.capabilities ?? DEPLOYMENT_CAPABILITIES);
  if (problems.length) throw new AppError('UNSUPPORTED', problems.map((p) => p.message).join('; '), { problems });
  const key = specKey(spec);
  return opts.store.transaction(async (tx) => {
    await tx.lock('genos:pools');
    if (await tx.pools.findByName(name)) throw new AppError('CONFLICT', `a pool named ${name} exists already`);
    const same = await tx.pools.findBySpecKey(key);
    if (same) throw new AppError('CONFLICT', `pool ${same.name} already serves this spec`);
    const pool = await tx.pools.insert({ name, spec, specKey: key, size, enabled: opts.enabled ?? true });
    await tx.audit.record({ actor, action: 'pool.create', targetType: 'pool', targetId: pool.id, before: null, after: pool });
    if (pool.enabled && pool.size > 0) await tx.jobs.enqueue('pool.refill', { poolId: pool.id });
    return pool;
  });
}
