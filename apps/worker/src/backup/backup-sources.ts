import fs from 'node:fs/promises';
import path from 'node:path';
import type Dockerode from 'dockerode';
import type { BackupSource } from '@genos/core';
import { INSTANCE_LABEL } from '../docker/container-config';
import { cipherDirOf, homesDirOf, isCipherDir } from '../security/encrypted-home';
import { transferCiphersDirOf } from '../security/encrypted-transfer';
import { ensureHomeVolume, homeVolumeName, OWNER_LABEL } from '../security/home-volume';

/** Where this deployment keeps what a backup holds besides the database. */
export interface BackupPlaces {
  docker: Dockerode;
  instance: string;
  stateDir: string;
  /** The catalog's image recipes (the repository's docker/ folder). */
  recipesDir: string;
  /** Settings GenOS needs to come back (.data/genos.env: generated secrets, database URL; never the KEK). */
  settingsFile: string;
  /** Extra labels for home volumes a restore re-creates (tests mark theirs). */
  labels?: Record<string, string>;
}

async function measure(p: string): Promise<{ files: number; bytes: number }> {
  const st = await fs.lstat(p);
  if (!st.isDirectory()) return { files: 1, bytes: st.size };
  let files = 0;
  let bytes = 0;
  for (const e of await fs.readdir(p, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += (await fs.lstat(path.join(e.parentPath, e.name))).size;
  }
  return { files, bytes };
}

const exists = (p: string) => fs.access(p).then(() => true, () => false);

/**
 * Home volumes of this instance, recordings, transfer folders, recipes, settings.
 * A home is its gocryptfs cipher directory (with gocryptfs.conf, whose master key only
 * the owner's data key opens; that key's wrapped row is in the database dump), so a
 * backup holds no home file in the clear. Plain Docker home volumes from before
 * encryption, not yet moved (their owner has not started a desktop since), are
 * backed up as they are, inside restic's own encryption. Transfer folders likewise:
 * their cipher directories, never the decrypted views mounted while desktops run.
 */
export async function findBackupSources(places: BackupPlaces): Promise<BackupSource[]> {
  const found: Omit<BackupSource, 'files' | 'bytes'>[] = [];
  const homesDir = homesDirOf(places.stateDir);
  for (const owner of await fs.readdir(homesDir).catch(() => [] as string[])) {
    if (owner.startsWith('.')) continue; // a home being made (.init-…)
    const dir = path.join(homesDir, owner);
    if (await isCipherDir(dir)) found.push({ role: 'home', path: dir, owner });
  }
  const { Volumes } = await places.docker.listVolumes({ filters: JSON.stringify({ label: ['genos.managed=true', `${INSTANCE_LABEL}=${places.instance}`] }) });
  for (const v of Volumes ?? []) {
    const owner = v.Labels?.[OWNER_LABEL];
    if (owner && v.Mountpoint) found.push({ role: 'home', path: v.Mountpoint, owner });
  }
  for (const [role, p] of [['recordings', path.join(places.stateDir, 'recordings')], ['transfer', transferCiphersDirOf(places.stateDir)], ['recipes', places.recipesDir], ['settings', places.settingsFile]] as const) {
    if (await exists(p)) found.push({ role, path: p });
  }
  const out: BackupSource[] = [];
  for (const s of found) out.push({ ...s, ...(await measure(s.path)) });
  return out;
}

/**
 * Where a backed-up source would go, without making anything: null when that place does not exist yet.
 * `restored`: the source as restored into scratch space (an encrypted home or a plain volume's files).
 */
export async function currentPlace(places: BackupPlaces, source: BackupSource, restored: string): Promise<string | null> {
  if (source.role !== 'home') {
    const p = await placeFor(places, source, restored);
    return (await exists(p)) ? p : null;
  }
  if (await isCipherDir(restored)) {
    const dir = cipherDirOf(places.stateDir, source.owner!);
    return (await exists(dir)) ? dir : null;
  }
  try {
    return (await places.docker.getVolume(homeVolumeName(source.owner!)).inspect()).Mountpoint;
  } catch {
    return null;
  }
}

/**
 * Where a backed-up source goes on this deployment: an encrypted home back to its cipher
 * directory (still encrypted; the restored data key row opens it), a plain home volume
 * into a volume made again, labelled for this instance (moved into an encrypted home
 * when its owner next starts a desktop).
 */
export async function placeFor(places: BackupPlaces, source: BackupSource, restored: string): Promise<string> {
  switch (source.role) {
    case 'home': {
      if (await isCipherDir(restored)) {
        await fs.mkdir(homesDirOf(places.stateDir), { recursive: true, mode: 0o700 });
        return cipherDirOf(places.stateDir, source.owner!);
      }
      const name = await ensureHomeVolume(places.docker, source.owner!, { 'genos.managed': 'true', [INSTANCE_LABEL]: places.instance, ...places.labels });
      return (await places.docker.getVolume(name).inspect()).Mountpoint;
    }
    case 'recordings':
      return path.join(places.stateDir, 'recordings');
    case 'transfer':
      return transferCiphersDirOf(places.stateDir);
    // Recipes come with the code; the backup's copy is put aside for comparison.
    case 'recipes':
      return path.join(places.stateDir, 'restored', 'recipes');
    case 'settings':
      return (await exists(places.settingsFile)) ? path.join(places.stateDir, 'restored', path.basename(places.settingsFile)) : places.settingsFile;
  }
}
