import type { EnvironmentSpec } from '../spec/environment-spec';
import type { DisplayEndpoint } from './store';
import type { CatalogApp } from '../catalog/app-catalog';

/** What a runtime reports about one environment it runs. */
export interface RuntimeStatus {
  exists: boolean;
  state: 'created' | 'running' | 'paused' | 'exited' | 'missing';
  detail?: string;
  /** Why it is not running, in words a user understands ("it ran out of memory"), when the runtime can tell. */
  reason?: string;
}

/** One sandbox the runtime holds for this host. */
export interface RuntimeSandbox {
  environmentId: string;
  runtimeRef: string;
  state: RuntimeStatus['state'];
}

/**
 * One interface for every runtime (Docker today, libvirt/KVM later). Each
 * driver passes the same contract suite against its real engine.
 */
export interface RuntimeDriver {
  readonly kind: 'docker' | 'libvirt';
  /** Builds what is missing (image layers), creates the sandbox; returns the name on the host. */
  create(opts: {
    environmentId: string;
    spec: EnvironmentSpec;
    onProgress?: (line: string) => void;
    /** The environment's owner: needed for spec.persistence.homeVolume (one home volume per user). */
    ownerId?: string;
    /** The environment's team: needed for network mode team (one private network per team). */
    teamId?: string | null;
    /**
     * The catalog entries of spec.apps as provisioning resolved them (the
     * database's rows, which win over the built-in ones): what to install and
     * launch. Apps missing here are looked up in the built-in catalog.
     */
    apps?: readonly CatalogApp[];
  }): Promise<{ runtimeRef: string }>;
  start(runtimeRef: string): Promise<void>;
  suspend(runtimeRef: string): Promise<void>;
  resume(runtimeRef: string): Promise<void>;
  /** Removes the sandbox and everything created for it. Idempotent. */
  terminate(opts: { environmentId: string; runtimeRef: string | null }): Promise<void>;
  inspect(runtimeRef: string): Promise<RuntimeStatus>;
  /** Waits until the display answers and returns where guacd can reach it. */
  displayEndpoint(runtimeRef: string, opts?: { timeoutMs?: number }): Promise<DisplayEndpoint>;
  /** Sets the desktop's screen size (guacd passes the change on to the browser). Drivers without it: the picture is scaled. */
  resizeDisplay?(runtimeRef: string, size: { width: number; height: number }): Promise<void>;
  /** The sandboxes this driver made on this host (any state), for reconciliation. */
  list(): Promise<RuntimeSandbox[]>;
  /** Removes host state no sandbox accounts for any more (e.g. firewall rules of removed networks). Run by reconciliation. */
  sweep?(): Promise<void>;
}
