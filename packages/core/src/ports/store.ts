import type { Readiness } from '../ops/check-readiness';
import type { EnvironmentState } from '../lifecycle/environment-state';
import type { EnvironmentSpec } from '../spec/environment-spec';
import type { AdminReads, AdminTx } from './admin-store';
import type { ControlReads, ControlTx } from './control-store';

/**
 * Persistence port. Core use-cases speak only to this; packages/db implements
 * it with Prisma, so the domain stays free of framework imports and the
 * transaction boundary is explicit.
 */
export interface DisplayEndpoint {
  protocol: 'vnc' | 'rdp';
  /**
   * Where guacd connects: the absolute path of the desktop's own unix socket
   * (guacd on the same host opens it directly; `port` is then 0), or a
   * loopback host and port bridged to that socket.
   */
  host: string;
  port: number;
  /** RDP only: the desktop user guacd signs in as. */
  username?: string;
  /** Per-environment display password; travels to guacd only inside an encrypted tunnel token. */
  password?: string;
  /** The desktop's PulseAudio socket, which guacd opens directly; guacd streams its sound when set. */
  audioSocket?: string;
  /** Or a loopback port bridged to that socket (like the display's). */
  audioPort?: number;
  /**
   * The desktop agent's socket on the host (container desktops: windows,
   * focus, close; see control/desktop-agent-port.ts), pinned out of the
   * desktop's reach; only root, the web process, opens it. VMs have none.
   */
  agentSocket?: string;
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
  /** Scheduling order while queued: higher first, then oldest first. */
  priority: number;
  /** Set while the environment is an unclaimed warm-pool member. */
  poolId: string | null;
  claimedAt: Date | null;
  /** Last keyboard or mouse input through the display tunnel (idle policy). */
  lastInputAt: Date | null;
  /** The last policy warning ("idle" or "expiry") and when it was given. */
  warning: string | null;
  warnedAt: Date | null;
  /** Its host stopped sending heartbeats; cleared when the host reconciles. */
  hostLost: boolean;
}

export type EnvironmentPatch = Partial<
  Pick<
    EnvironmentRecord,
    | 'state' | 'host' | 'runtimeRef' | 'displayEndpoint' | 'error' | 'startedAt' | 'terminatedAt'
    | 'ownerId' | 'teamId' | 'name' | 'request' | 'poolId' | 'claimedAt' | 'lastInputAt' | 'warning' | 'warnedAt' | 'hostLost'
  >
>;

/** A worker and the machine it drives. */
export interface HostRecord {
  id: string;
  cpuCapacity: number;
  memoryMiB: number;
  runtimes: string[];
  guacdHost: string;
  guacdPort: number;
  state: 'up' | 'down';
  lastHeartbeatAt: Date;
  startedAt: Date;
  version: string | null;
  /** guacd's version as the worker read it at start (see hosts/guacd-advisory.ts). */
  guacdVersion: string | null;
  /** The worker's last check of its own dependencies (hosts/record-host-sample.ts), null before the first. */
  readiness: HostReadiness | null;
}

/** A worker's readiness as its /readyz answers it, and when it was checked. */
export interface HostReadiness extends Readiness {
  at: Date;
}

/** One minute of a host's use (hosts/record-host-sample.ts). */
export interface HostSample {
  hostId: string;
  at: Date;
  cpu: number;
  memoryMiB: number;
  environments: number;
  ready: boolean;
}

/** What is placed on a host: environments that hold (or are about to hold) its resources. */
export interface HostUsage {
  cpu: number;
  memoryMiB: number;
  environments: number;
}

export interface QuotaLimits {
  maxEnvironments: number;
  maxCpu: number;
  maxMemoryMiB: number;
  maxDiskGiB: number;
  maxHoursPerDay: number;
  priority: number;
}

/** What one user or team uses now: live environments, and hours run since `since`. */
export interface QuotaUsage {
  environments: number;
  cpu: number;
  memoryMiB: number;
  diskGiB: number;
  hoursSince: number;
}

/** A quota an admin set for one user or team. */
export interface QuotaRecord extends QuotaLimits {
  scope: 'user' | 'team';
  subjectId: string;
  /** The user's email or the team's name, for people reading the list. */
  subjectName: string | null;
  updatedAt: Date;
}

/** How many of a pool's (unclaimed) members are in each state. */
export type PoolMemberCounts = Partial<Record<EnvironmentState, number>>;

export interface WarmPoolRecord {
  id: string;
  name: string;
  spec: EnvironmentSpec;
  specKey: string;
  size: number;
  enabled: boolean;
  lastClaimedAt?: Date | null;
}

/** Roles inside a team, strongest first. */
export const TEAM_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export interface TeamRecord {
  id: string;
  name: string;
  slug: string;
  createdAt: Date;
}

export interface TeamMemberRecord {
  userId: string;
  email: string;
  name: string | null;
  role: TeamRole;
  createdAt: Date;
}

/** An invitation; the secret link token is never stored, only its sha256 (`hash`). */
export interface InvitationRecord {
  id: string;
  teamId: string;
  email: string;
  role: TeamRole;
  invitedBy: string;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

/**
 * A share link (`/share/<secret>`): someone else views or uses a running
 * desktop until it expires or is revoked. Only the secret's sha256 is stored.
 */
export interface ShareLinkRecord {
  id: string;
  environmentId: string;
  mode: 'view' | 'collaborate';
  createdBy: string;
  expiresAt: Date;
  revokedAt: Date | null;
  createdAt: Date;
}

/** What a team allows on its desktops' displays and files, and whether their sessions are recorded. */
export interface TeamStreamingPolicy {
  allowCopy: boolean;
  allowPaste: boolean;
  allowUpload: boolean;
  allowDownload: boolean;
  recordSessions: boolean;
}

/** Reads a caller's role in a team; both Store.teams and Tx.teams have it. */
export interface TeamRoleReader {
  role(teamId: string, userId: string): Promise<TeamRole | null>;
}

export interface Actor {
  kind: 'user' | 'worker' | 'system';
  id?: string | null;
  /** Global admins may act on any environment. */
  isAdmin?: boolean;
  ip?: string | null;
}

/**
 * Jobs that run on the host holding the environment go to that host's own
 * queue (`<name>.<hostId>`, see hostQueue); the others to one shared queue.
 */
export const HOST_JOB_NAMES = ['environment.provision', 'environment.terminate', 'environment.suspend', 'environment.resume', 'environment.resize-display'] as const;
export const SHARED_JOB_NAMES = ['pool.refill', 'image.build'] as const;
export const JOB_NAMES = [...HOST_JOB_NAMES, ...SHARED_JOB_NAMES] as const;
export type HostJobName = (typeof HOST_JOB_NAMES)[number];
export type JobName = (typeof JOB_NAMES)[number];
export interface EnvironmentJob {
  environmentId: string;
}
/** The viewer's window changed: the desktop's screen follows (environment.resize-display). */
export interface ResizeDisplayJob extends EnvironmentJob {
  width: number;
  height: number;
}
export interface PoolJob {
  poolId?: string;
}
/** Build (or rebuild) one Image row's app layer; any worker with Docker takes it. */
export interface ImageBuildJob {
  imageId: string;
}
export const hostQueue = (name: HostJobName, hostId: string): string => `${name}.${hostId}`;

/** NOTIFY channel carrying `{ id, state, ownerId }` for every environment write, delivered at commit. */
export const ENVIRONMENT_CHANGES_CHANNEL = 'genos_env_changes';

export interface Tx {
  environments: {
    insert(data: {
      name: string;
      request: string | null;
      spec: EnvironmentSpec;
      ownerId: string;
      teamId: string | null;
      priority?: number;
      poolId?: string | null;
    }): Promise<EnvironmentRecord>;
    /** Reads and row-locks (SELECT ... FOR UPDATE) until the transaction ends. */
    lock(id: string): Promise<EnvironmentRecord | null>;
    update(id: string, patch: EnvironmentPatch): Promise<EnvironmentRecord>;
    /** Waiting for a host: `requested` with no host, highest priority then oldest first. */
    listQueued(limit: number): Promise<EnvironmentRecord[]>;
    /** How many queued environments go before this one (0 = next). */
    queuePosition(id: string): Promise<number>;
    /** Row-locks one running, unclaimed member of the pool (SKIP LOCKED), or null. */
    claimPoolMember(poolId: string): Promise<EnvironmentRecord | null>;
    /**
     * Row-locks environments stranded on hosts marked `down` that the reaper has
     * not dealt with yet: provisioning, running/suspended without hostLost, and
     * requested ones still placed there.
     */
    listStranded(): Promise<EnvironmentRecord[]>;
  };
  /** Transaction-scoped advisory lock (pg_advisory_xact_lock): serialises racing writers on one key. */
  lock(key: string): Promise<void>;
  hosts: {
    /** Hosts in state `up` whose last heartbeat is newer than `freshSince`. */
    listUp(freshSince: Date): Promise<HostRecord[]>;
    /** Resources placed per host by live (requested-with-host, provisioning, running, suspended) environments. */
    usage(): Promise<Map<string, HostUsage>>;
    /** Marks `up` hosts whose last heartbeat is older than `staleBefore` as `down`; returns them. */
    markStaleDown(staleBefore: Date): Promise<HostRecord[]>;
  };
  quotas: {
    find(scope: 'user' | 'team', subjectId: string): Promise<QuotaLimits | null>;
    usage(scope: 'user' | 'team', subjectId: string, since: Date): Promise<QuotaUsage>;
    /** Whether the user or team exists. */
    subjectExists(scope: 'user' | 'team', subjectId: string): Promise<boolean>;
    upsert(scope: 'user' | 'team', subjectId: string, limits: QuotaLimits): Promise<QuotaLimits>;
    /** Removes the row (back to the defaults); false when there was none. */
    delete(scope: 'user' | 'team', subjectId: string): Promise<boolean>;
    /** Re-applies the user's and team's current priority to the subject's queued environments; how many. */
    reprioritiseQueued(scope: 'user' | 'team', subjectId: string): Promise<number>;
  };
  pools: {
    findBySpecKey(specKey: string): Promise<WarmPoolRecord | null>;
    markClaimed(poolId: string, at: Date): Promise<void>;
    findById(id: string): Promise<WarmPoolRecord | null>;
    findByName(name: string): Promise<WarmPoolRecord | null>;
    insert(data: Omit<WarmPoolRecord, 'id'>): Promise<WarmPoolRecord>;
    update(id: string, patch: Partial<Pick<WarmPoolRecord, 'size' | 'enabled'>>): Promise<WarmPoolRecord>;
    /** Deletes the pool row; members still terminating keep running down with poolId cleared. */
    delete(id: string): Promise<void>;
    /** Unclaimed members not yet ended (requested, provisioning, running, suspended), least ready and newest first. */
    listMembers(poolId: string): Promise<EnvironmentRecord[]>;
  };
  events: {
    append(e: { environmentId: string; fromState: EnvironmentState | null; toState: EnvironmentState; actor: Actor; reason?: string | null }): Promise<void>;
  };
  audit: {
    record(a: { actor: Actor; action: string; targetType: string; targetId: string | null; before?: unknown; after?: unknown }): Promise<void>;
  };
  teams: TeamRoleReader & {
    insert(data: { name: string; slug: string }): Promise<TeamRecord>;
    findById(id: string): Promise<TeamRecord | null>;
    findBySlug(slug: string): Promise<TeamRecord | null>;
    members(teamId: string): Promise<TeamMemberRecord[]>;
    addMember(teamId: string, userId: string, role: TeamRole): Promise<void>;
    setRole(teamId: string, userId: string, role: TeamRole): Promise<void>;
    removeMember(teamId: string, userId: string): Promise<void>;
    countOwners(teamId: string): Promise<number>;
    /** The user's email (lower case), or null when there is no such user. */
    userEmail(userId: string): Promise<string | null>;
    insertInvitation(data: Omit<InvitationRecord, 'id' | 'acceptedAt' | 'revokedAt' | 'createdAt'> & { hash: string }): Promise<InvitationRecord>;
    findInvitationById(id: string): Promise<InvitationRecord | null>;
    findInvitationByHash(hash: string): Promise<InvitationRecord | null>;
    updateInvitation(id: string, patch: { acceptedAt?: Date; revokedAt?: Date }): Promise<InvitationRecord>;
    /** Pending (not accepted, not revoked, not expired at `now`) invitations of the team. */
    listInvitations(teamId: string, now: Date): Promise<InvitationRecord[]>;
  };
  /** Enqueues a job in the same transaction as the domain write; host jobs need the host. */
  jobs: {
    enqueue(name: HostJobName, data: EnvironmentJob, opts: { host: string }): Promise<string>;
    enqueue(name: 'pool.refill', data: PoolJob): Promise<string>;
    enqueue(name: 'image.build', data: ImageBuildJob): Promise<string>;
  };
  /** Users, catalog rows and images the admin pages change. */
  admin: AdminTx;
  /** Desktop control leases (control/). */
  controls: ControlTx;
}

export interface Store {
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  environments: {
    findById(id: string): Promise<EnvironmentRecord | null>;
    listByOwner(ownerId: string, opts: { includeTerminated: boolean; limit: number }): Promise<EnvironmentRecord[]>;
    listByHost(host: string, states: EnvironmentState[]): Promise<EnvironmentRecord[]>;
    /** The user's own environments and those of `teamIds`, newest first (optionally only one team's). */
    listVisible(opts: { ownerId: string; teamIds: string[]; onlyTeamId?: string | null; includeTerminated: boolean; limit: number }): Promise<EnvironmentRecord[]>;
    /**
     * Records keyboard or mouse input at `at` on a running environment and clears a
     * standing idle warning (notifying listeners only then). False when it is not running.
     */
    recordInput(id: string, at: Date): Promise<boolean>;
  };
  hosts: {
    /** Creates or refreshes the host row (state up, heartbeat now). */
    register(host: Omit<HostRecord, 'state' | 'lastHeartbeatAt' | 'startedAt' | 'guacdVersion' | 'readiness'> & { guacdVersion?: string | null }): Promise<HostRecord>;
    /** Refreshes the heartbeat; false when the row is gone or was marked down (the host must re-register). */
    heartbeat(id: string): Promise<boolean>;
    list(): Promise<HostRecord[]>;
    /** Stores a sample and the host's readiness at that time. */
    recordSample(sample: HostSample, readiness: HostReadiness): Promise<void>;
    /** Samples taken since `since`, oldest first. */
    samples(since: Date): Promise<HostSample[]>;
    /** Deletes samples older than `before`; how many. */
    pruneSamples(before: Date): Promise<number>;
  };
  pools: {
    list(): Promise<WarmPoolRecord[]>;
    /** Members not yet claimed, in any live state (requested, provisioning, running). */
    countMembers(poolId: string): Promise<number>;
    /** Unclaimed members per pool and state. */
    memberCounts(): Promise<Map<string, PoolMemberCounts>>;
  };
  teams: TeamRoleReader & {
    /** The teams the user belongs to, with their role, by name. */
    listForUser(userId: string): Promise<(TeamRecord & { role: TeamRole })[]>;
    /** The team's streaming policy, or null when there is no such team. */
    policy(teamId: string): Promise<TeamStreamingPolicy | null>;
  };
  shareLinks: {
    findById(id: string): Promise<ShareLinkRecord | null>;
    /** By the sha256 of its secret (hashShareSecret). */
    findByHash(hash: string): Promise<ShareLinkRecord | null>;
  };
  quotas: {
    /** Every quota admins set, users before teams. */
    list(): Promise<QuotaRecord[]>;
    find(scope: 'user' | 'team', subjectId: string): Promise<QuotaLimits | null>;
  };
  /** Users, teams, catalog, images, audit log and active desktops for the admin pages. */
  admin: AdminReads;
  /** Desktop control leases and the action log (control/). */
  controls: ControlReads;
}
