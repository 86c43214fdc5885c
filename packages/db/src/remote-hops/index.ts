export { isLocalHost } from './local-address.ts';
export { databaseHopProblem } from './database-hop.ts';
export { resolveGuacdHop, connectGuacd, describeGuacdHop, guacdJailSocket, GuacdHopError, type GuacdHop, type GuacdHopSettings } from './guacd-hop.ts';
export { hopSettingsShape, checkHops } from './hop-settings.ts';
export { guacdHandshake } from './guacd-handshake.ts';
