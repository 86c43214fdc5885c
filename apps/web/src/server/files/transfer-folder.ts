import { Readable } from 'node:stream';
import { AppError, type AppErrorCode, type TransferFolderPort } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import { authorizeTransfer, listTransferFiles, openTransferFile, receiveUpload, safeFileName, TransferError } from './transfer';

/**
 * Files through the control API are bytes in JSON (base64), so they stay
 * well under the HTTP upload route's 100 MB; bigger files use that route.
 */
export const MAX_CONTROL_FILE_BYTES = 25 * 1024 * 1024;

const CODES: Record<number, AppErrorCode> = { 400: 'VALIDATION', 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 413: 'TOO_LARGE' };

/** The HTTP routes' TransferError as the domain error the tRPC edge maps. */
const asAppError = (e: unknown): unknown => (e instanceof TransferError ? new AppError(CODES[e.status] ?? 'INTERNAL', e.message) : e);
const mapped = async <T>(fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (e) {
    throw asAppError(e);
  }
};

/**
 * The Transfer folder for control calls, on the same code as the HTTP routes
 * (transfer.ts): the team's allowUpload / allowDownload apply, links are
 * never followed, uploads never overwrite.
 */
export function transferFolderFor(opts: { prisma: PrismaClient; stateDir: () => string; userId: string }): TransferFolderPort {
  const user = { id: opts.userId };
  // Read when a file moves, after core has checked the caller: settings are not needed before.
  const dir = () => opts.stateDir();
  return {
    list: (environmentId) =>
      mapped(async () => {
        await authorizeTransfer(opts.prisma, user, environmentId, 'download');
        return listTransferFiles(dir(), environmentId);
      }),
    put: (environmentId, name, content) =>
      mapped(async () => {
        await authorizeTransfer(opts.prisma, user, environmentId, 'upload');
        return receiveUpload({ stateDir: dir(), environmentId, name: safeFileName(name), body: Readable.from([content]), declaredBytes: content.length, maxBytes: MAX_CONTROL_FILE_BYTES });
      }),
    get: (environmentId, name) =>
      mapped(async () => {
        await authorizeTransfer(opts.prisma, user, environmentId, 'download');
        const file = await openTransferFile(dir(), environmentId, name);
        if (file.bytes > MAX_CONTROL_FILE_BYTES) {
          file.stream.destroy();
          throw new AppError('TOO_LARGE', `${file.name} is ${Math.ceil(file.bytes / 1024 / 1024)} MB; the control API moves files up to ${MAX_CONTROL_FILE_BYTES / 1024 / 1024} MB, download it from the Files panel instead`);
        }
        const chunks: Buffer[] = [];
        let read = 0;
        for await (const chunk of file.stream) {
          // The desktop may still be writing it.
          read += (chunk as Buffer).length;
          if (read > MAX_CONTROL_FILE_BYTES) {
            file.stream.destroy();
            throw new AppError('TOO_LARGE', `${file.name} grew past ${MAX_CONTROL_FILE_BYTES / 1024 / 1024} MB while it was read`);
          }
          chunks.push(chunk as Buffer);
        }
        return { name: file.name, content: Buffer.concat(chunks) };
      }),
  };
}
