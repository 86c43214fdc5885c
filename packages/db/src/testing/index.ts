// Test helpers: import from '@genos/db/testing'.
export { createTestDatabase, type TestDatabase } from './create-test-database.ts';
export { dropStaleTestDatabases } from './drop-stale-test-databases.ts';
export { ensureTemplateDatabase } from './template-database.ts';
export { registerTestHost } from './register-test-host.ts';
export { freshTestState, mountsUnder, removeStateDir, TEST_INSTANCE_PREFIX, TEST_LABEL, TEST_STATE_ROOT, type FreshTestState } from './fresh-test-state.ts';
export { createWorkerTestBed, type WorkerTestBed } from './worker-test-bed.ts';
export { listenForGuacd, type GuacdSocket } from './guacd-socket.ts';
export { freePort } from './free-port.ts';
