import type { BackupRuns } from '../backups/backup-ports';
import type { CatalogApp } from '../catalog/app-catalog';
import type { EnvironmentState } from '../lifecycle/environment-state';

/**
 * What the admin pages read and write beyond the environment and quota
 * tables: users, teams, the application catalog, images and the audit log.
 * Part of the Store port (`store.admin`, `tx.admin`).
 */
export interface AdminUserRecord {
  id: string;
  email: string;
  name: string | null;
  role: 'admin' | 'user';
  totpEnabled: boolean;
  lockedUntil: Date | null;
  disabledAt: Date | null;
  createdAt: Date;
  /** The newest session's last activity, when the user ever signed in through a session. */
  lastSignInAt: Date | null;
}

export interface AdminTeamRecord {
  id: string;
  name: string;
  slug: string;
  createdAt: Date;
  members: { userId: string; email: string; role: string }[];
}

/** A catalog row as stored: the composer's CatalogApp plus whether it is offered and who added it. */
export interface CatalogAppRecord extends CatalogApp {
  enabled: boolean;
  /** "builtin" (seeded from the static catalog) or "admin". */
  source: string;
  updatedAt: Date;
}

export interface ImageRecord {
  id: string;
  kind: string;
  tag: string;
  packages: string[];
  status: 'pending' | 'building' | 'ready' | 'failed';
  digest: string | null;
  buildLog: string | null;
  version: number;
  retiredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AuditRecord {
  id: string;
  actorKind: 'user' | 'worker' | 'system';
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  at: Date;
}

export interface AuditFilter {
  /** An actor's user id or (part of) their email. */
  actor?: string;
  /** Action prefix ("quota." matches quota.set and quota.reset). */
  action?: string;
  /** Target id, or target type. */
  target?: string;
  from?: Date;
  to?: Date;
}

export interface ActiveEnvironmentRecord {
  id: string;
  name: string;
  state: EnvironmentState;
  ownerId: string;
  ownerEmail: string;
  host: string | null;
  apps: string[];
  startedAt: Date | null;
  createdAt: Date;
}

export interface AdminReads {
  users: {
    list(): Promise<AdminUserRecord[]>;
    find(id: string): Promise<AdminUserRecord | null>;
  };
  teams: { list(): Promise<AdminTeamRecord[]> };
  catalog: {
    /** Rows ordered builtin-first then by id; `ids` narrows, `enabledOnly` drops retired ones. */
    list(opts?: { ids?: string[]; enabledOnly?: boolean }): Promise<CatalogAppRecord[]>;
  };
  images: {
    list(): Promise<ImageRecord[]>;
    findById(id: string): Promise<ImageRecord | null>;
    /** Worker side: appends build output (kept to the last 200 000 characters). */
    appendLog(id: string, text: string): Promise<void>;
    setStatus(id: string, status: ImageRecord['status'], patch?: { digest?: string | null }): Promise<ImageRecord>;
  };
  audit: { list(filter: AuditFilter, page: { offset: number; limit: number }): Promise<{ rows: AuditRecord[]; total: number }> };
  environments: { listActive(): Promise<ActiveEnvironmentRecord[]> };
  /** Backup attempts and the schedule (the worker writes runs; see backups/). */
  backups: Pick<BackupRuns, 'latest' | 'schedule'>;
}

export interface AdminTx {
  backups: Pick<BackupRuns, 'setSchedule'>;
  users: {
    find(id: string): Promise<AdminUserRecord | null>;
    update(id: string, patch: { role?: 'admin' | 'user'; disabledAt?: Date | null }): Promise<AdminUserRecord>;
    /** Admins who are not disabled. */
    countActiveAdmins(): Promise<number>;
    /** Ends the user's browser sessions (a disabled user is signed out everywhere). */
    revokeSessions(id: string): Promise<number>;
  };
  catalog: {
    find(id: string): Promise<CatalogAppRecord | null>;
    insert(app: CatalogApp & { enabled: boolean; source: string }): Promise<CatalogAppRecord>;
    update(id: string, patch: Partial<Omit<CatalogApp, 'id'>> & { enabled?: boolean }): Promise<CatalogAppRecord>;
  };
  images: {
    findByTag(tag: string): Promise<ImageRecord | null>;
    lock(id: string): Promise<ImageRecord | null>;
    insert(data: { kind: string; tag: string; packages: string[] }): Promise<ImageRecord>;
    update(id: string, patch: Partial<Pick<ImageRecord, 'status' | 'buildLog' | 'version' | 'retiredAt'>>): Promise<ImageRecord>;
  };
}
