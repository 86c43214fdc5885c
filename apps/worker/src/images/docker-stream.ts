// Small helpers shared by the image builders: follow a Docker JSON progress
// stream, inspect an image, run a child process line by line.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type Dockerode from 'dockerode';
import { dockerStatus } from '../docker/docker-status.ts';

export type Progress = (line: string) => void;

interface ProgressEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/**
 * Waits for a build/import stream to end. Docker reports build failures
 * inside the stream (`{error}`), not as an HTTP error, so check every event.
 * Resolves with the image id announced in the stream (build `aux.ID` or the
 * import `status`), if any.
 */
export function followProgress(
  docker: Dockerode,
  stream: NodeJS.ReadableStream,
  what: string,
  onProgress?: Progress,
): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let id: string | undefined;
    let failure: string | undefined;
    docker.modem.followProgress(
      stream,
      (err) => {
        if (err) reject(new Error(`${what} failed: ${err.message}`));
        else if (failure) reject(new Error(`${what} failed: ${failure}`));
        else resolve(id);
      },
      (event: ProgressEvent) => {
        if (event.error) failure = event.errorDetail?.message ?? event.error;
        if (event.aux?.ID) id = event.aux.ID;
        else if (event.status?.startsWith('sha256:')) id = event.status;
        const text = (event.stream ?? event.error ?? '').trimEnd();
        if (text && onProgress) for (const line of text.split('\n')) onProgress(line);
      },
    );
  });
}

/** Id and labels of a local image, undefined when Docker says 404. */
export async function inspectImage(
  docker: Dockerode,
  tag: string,
): Promise<{ id: string; labels: Record<string, string> } | undefined> {
  try {
    const info = await docker.getImage(tag).inspect();
    return { id: info.Id, labels: info.Config.Labels ?? {} };
  } catch (err) {
    if (dockerStatus(err) === 404) return undefined;
    throw err;
  }
}

/** Runs a command, streaming stdout+stderr lines to onProgress; rejects on non-zero exit. */
export function run(cmd: string, args: string[], onProgress?: Progress): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const s of [child.stdout, child.stderr]) {
      createInterface({ input: s }).on('line', (line) => onProgress?.(line));
    }
    child.on('error', (err) => reject(new Error(`${cmd}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} exited with ${signal ?? `status ${code}`}`));
    });
  });
}
