import type { EnvironmentState } from '../lifecycle/environment-state';
import type { EnvironmentSpec } from '../spec/environment-spec';

/**
 * Persistence port. Core use-cases speak only to this; packages/db implements
 * it with Prisma, so the domain stays free of framework imports and the
 * transaction boundary is explicit.
 */
export interface DisplayEndpoint {
  protocol: 'vnc' | 'rdp';
  host: string;
  port: number;
  /** Per-environment display password; travels to guacd only inside an encrypted tunnel token. */
  password?: string;
}

export interface EnvironmentRecord {
  id: string;
  name: string;
  request: string | null;
  spec: EnvironmentSpec;
  state: EnvironmentState;
  ownerId: string;
  teamId: string | null;
  host: string | null;
  runtimeRef: string | null;
  displayEndpoint: DisplayEndpoint | null;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  terminatedAt: Date | null;
}

export type EnvironmentPatch = Partial<
  Pick<EnvironmentRecord, 'state' | 'host' | 'runtimeRef' | 'displayEndpoint' | 'error' | 'startedAt' | 'terminatedAt'>
>;

export interface Actor {
  kind: 'user' | 'worker' | 'system';
  id?: string | null;
  /** Global admins may act on any environment. */
  isAdmin?: boolean;
  ip?: string | null;
}

export const JOB_NAMES = ['environment.provision', 'environment.terminate'] as const;
export type JobName = (typeof JOB_NAMES)[number];
export interface EnvironmentJob {
  environmentId: string;
}

export interface Tx {
  environments: {
    insert(data: { name: string; request: string | null; spec: EnvironmentSpec; ownerId: string; teamId: string | null }): Promise<EnvironmentRecord>;
    /** Reads and row-locks (SELECT ... FOR UPDATE) until the transaction ends. */
    lock(id: string): Promise<EnvironmentRecord | null>;
    update(id: string, patch: EnvironmentPatch): Promise<EnvironmentRecord>;
  };
  events: {
    append(e: { environmentId: string; fromState: EnvironmentState | null; toState: EnvironmentState; actor: Actor; reason?: string | null }): Promise<void>;
  };
  audit: {
    record(a: { actor: Actor; action: string; targetType: string; targetId: string | null; before?: unknown; after?: unknown }): Promise<void>;
  };
  /** Enqueues a job in the same transaction as the domain write. */
  jobs: { enqueue(name: JobName, data: EnvironmentJob): Promise<string> };
}

export interface Store {
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  environments: {
    findById(id: string): Promise<EnvironmentRecord | null>;
    listByOwner(ownerId: string, opts: { includeTerminated: boolean; limit: number }): Promise<EnvironmentRecord[]>;
    listByHost(host: string, states: EnvironmentState[]): Promise<EnvironmentRecord[]>;
  };
}
