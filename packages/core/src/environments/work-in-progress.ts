/**
 * The environments this worker is acting on right now (a host job, the
 * lifetime policy): reconcile leaves them to whoever holds them, so a desktop
 * that a terminate is removing is not mistaken for one that died. Counted:
 * two holders of one environment keep it held until both release.
 */
export interface WorkInProgress {
  /** Holds `id`; the returned function releases this hold (once). */
  hold(id: string): () => void;
  has(id: string): boolean;
}

export function createWorkInProgress(): WorkInProgress {
  const holds = new Map<string, number>();
  return {
    hold(id) {
      holds.set(id, (holds.get(id) ?? 0) + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (holds.get(id) ?? 1) - 1;
        if (left > 0) holds.set(id, left);
        else holds.delete(id);
      };
    },
    has: (id) => holds.has(id),
  };
}
