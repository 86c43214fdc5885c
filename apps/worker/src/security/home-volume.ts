import type Dockerode from 'dockerode';
import { AppError } from '@genos/core';
import { dockerStatus, ignoreStatus } from '../docker/docker-status';

export const OWNER_LABEL = 'genos.owner';
const MANAGED_LABEL = 'genos.managed';
/** Where the desktop user's home is; the volume replaces the tmpfs there. */
export const HOME_MOUNT = '/home/genos';
// Docker volume names allow [a-zA-Z0-9][a-zA-Z0-9_.-]*; user ids (cuid/uuid) fit.
const OWNER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}$/;

/** One named volume per user. Never per environment, never per team. */
export function homeVolumeName(ownerId: string): string {
  if (!OWNER_ID.test(ownerId)) throw new AppError('VALIDATION', `owner id ${JSON.stringify(ownerId)} cannot name a volume`);
  return `genos-home-${ownerId}`;
}

/**
 * Creates the user's home volume on first use, or returns the existing one
 * after checking it is GenOS's and this user's (a volume of the same name
 * made by anyone else, or labelled for another owner, is refused: homes are
 * never shared). Docker copies the image's /home/genos (owned by 1000) into
 * a new, empty volume on first mount, so the desktop user owns it.
 */
export async function ensureHomeVolume(docker: Dockerode, ownerId: string, labels: Record<string, string> = {}): Promise<string> {
  const name = homeVolumeName(ownerId);
  const check = (v: { Labels?: Record<string, string> | null }) => {
    if (v.Labels?.[MANAGED_LABEL] !== 'true' || v.Labels?.[OWNER_LABEL] !== ownerId) {
      throw new AppError('CONFLICT', `volume ${name} exists but is not this user's GenOS home`);
    }
  };
  try {
    check(await docker.getVolume(name).inspect());
    return name;
  } catch (e) {
    if (dockerStatus(e) !== 404) throw e;
  }
  await docker.createVolume({ Name: name, Labels: { [MANAGED_LABEL]: 'true', ...labels, [OWNER_LABEL]: ownerId } });
  // Docker answers a create of an existing name with that volume: when two creates race, check what we got.
  check(await docker.getVolume(name).inspect());
  return name;
}

/** Deletes a user's home (account deletion, tests). Fails while an environment still mounts it. */
export async function removeHomeVolume(docker: Dockerode, ownerId: string): Promise<void> {
  await ignoreStatus(docker.getVolume(homeVolumeName(ownerId)).remove());
}
