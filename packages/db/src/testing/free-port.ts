// A test's own server gets its port the way a recovered database does.
export { freeLoopbackPort as freePort } from '../embedded/free-port.ts';
