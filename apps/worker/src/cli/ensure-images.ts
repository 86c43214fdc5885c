// `npm run images -w @genos/worker`: make sure the desktop base image exists
// (debootstrap + import + build on first run, a quick check afterwards).
// Pass --force to rebuild the base image layer.
import Dockerode from 'dockerode';
import { ensureBaseImage } from '../images/build-base-image.ts';

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });

try {
  const image = await ensureBaseImage({
    docker,
    force: process.argv.includes('--force'),
    onProgress: (line) => console.log(`[images ${elapsed()}] ${line}`),
  });
  console.log(`[images] ${image.tag} ${image.id.slice(7, 19)} ${image.built ? 'built' : 'already present'} in ${elapsed()}`);
} catch (err) {
  console.error(`[images] failed after ${elapsed()}: ${(err as Error).message}`);
  process.exitCode = 1;
}
