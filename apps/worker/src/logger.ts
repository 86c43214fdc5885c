import pino from 'pino';
import { LOG_REDACT_PATHS } from '@genos/core';

/** One JSON line per event; secret fields redacted wherever they sit in a logged object (core's LOG_REDACT_PATHS). */
export const createLogger = (level: string, destination?: pino.DestinationStream) =>
  pino({ name: 'genos-worker', level, redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } }, destination);
export type Logger = pino.Logger;
