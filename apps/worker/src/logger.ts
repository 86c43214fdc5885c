import pino from 'pino';

export const createLogger = (level: string) => pino({ name: 'genos-worker', level });
export type Logger = pino.Logger;
