// The host state dir's folders: import from '@genos/db/state-dir' (web and worker alike).
export { assertSocketPathsFit, ensurePassablePath, PASSABLE_MODE } from './state-folders.ts';
