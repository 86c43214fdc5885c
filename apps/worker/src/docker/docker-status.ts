/** The HTTP status the Docker engine answered with, when dockerode surfaced one. */
export const dockerStatus = (e: unknown): number | undefined => (e as { statusCode?: number } | null)?.statusCode;

/** Runs a Docker call where "it is already gone" (404) — or the listed statuses — is success. */
export async function ignoreStatus(call: Promise<unknown>, statuses: number[] = [404]): Promise<void> {
  try {
    await call;
  } catch (e) {
    if (!statuses.includes(dockerStatus(e) ?? -1)) throw e;
  }
}
