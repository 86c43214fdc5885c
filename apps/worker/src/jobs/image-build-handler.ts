import type Dockerode from 'dockerode';
import { runImageBuild, type ImageBuildJob, type Store } from '@genos/core';
import type { PgBoss } from '@genos/db';
import { ensureAppLayer } from '../images/build-app-layer';
import { inspectImage } from '../images/docker-stream';
import type { Logger } from '../logger';

/**
 * The shared `image.build` queue: whichever worker takes the job runs the
 * Docker build of the Image row's package set, its log lines going into the
 * row as they come (runImageBuild batches them), status building → ready or
 * failed. A rebuild (version > 1) skips Docker's cache.
 */
export async function registerImageBuildHandler(opts: { boss: PgBoss; store: Store; docker: Dockerode; log: Logger }): Promise<void> {
  const { boss, store, docker, log } = opts;
  await boss.work<ImageBuildJob>('image.build', { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    if (!job) return;
    const img = await runImageBuild({
      store,
      imageId: job.data.imageId,
      build: async (packages, onLine) => {
        const version = (await store.admin.images.findById(job.data.imageId))?.version ?? 1;
        const { tag } = await ensureAppLayer({ docker, packages, onProgress: onLine, force: version > 1 });
        return { digest: (await inspectImage(docker, tag))?.id ?? null };
      },
    });
    log.info({ imageId: job.data.imageId, tag: img?.tag, status: img?.status }, 'image build finished');
  });
}
