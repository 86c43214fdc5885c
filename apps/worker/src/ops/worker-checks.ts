import type Dockerode from 'dockerode';
import type { ReadinessCheck } from '@genos/core';
import type { PgBoss, PrismaClient } from '@genos/db';
import { guacdHandshake, type GuacdHop } from '@genos/db/remote-hops';
import { virsh } from '../libvirt/virsh';

/**
 * What a worker needs to do its work: the database, its job queue (pg-boss's
 * own connection pool, which can fail apart from Prisma's), this host's guacd,
 * Docker, and libvirt when this host runs VMs (a host without KVM never asks it).
 */
export function workerReadinessChecks(opts: {
  prisma: PrismaClient;
  boss: PgBoss;
  docker: Dockerode;
  guacd: GuacdHop;
  libvirt: boolean;
  timeoutMs?: number;
}): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [
    { name: 'database', check: () => opts.prisma.$queryRaw`SELECT 1` },
    { name: 'queue', check: () => opts.boss.getQueueSize('pool.refill') },
    { name: 'guacd', check: () => guacdHandshake(opts.guacd, opts.timeoutMs) },
    { name: 'docker', check: () => opts.docker.ping() },
  ];
  if (opts.libvirt) checks.push({ name: 'libvirt', check: () => virsh(['uri'], { timeoutMs: opts.timeoutMs ?? 2000 }) });
  return checks;
}
