import { Readable } from 'node:stream';
import type { PrismaClient } from '@genos/db';
import { authorizeTransfer, listTransferFiles, openTransferFile, receiveUpload, safeFileName, TransferError } from './transfer';

/** The route handlers' logic, on plain Request/Response, so integration tests call it without Next. */
export interface FileRouteDeps {
  prisma: PrismaClient;
  user: { id: string } | null;
  stateDir: string;
  maxBytes?: number;
}

const json = (status: number, body: unknown) => Response.json(body, { status, headers: { 'Cache-Control': 'no-store' } });
const fail = (e: unknown) => {
  if (e instanceof TransferError) return json(e.status, { error: e.message });
  throw e;
};

/** POST /api/environments/<id>/files?name=<file name>, the raw bytes as the body. */
export async function handleUpload(req: Request, environmentId: string, deps: FileRouteDeps): Promise<Response> {
  try {
    await authorizeTransfer(deps.prisma, deps.user, environmentId, 'upload');
    const name = safeFileName(new URL(req.url).searchParams.get('name') ?? '');
    const declared = req.headers.get('content-length');
    if (!req.body) throw new TransferError(400, 'The upload is empty.');
    const saved = await receiveUpload({
      stateDir: deps.stateDir,
      environmentId,
      name,
      body: Readable.fromWeb(req.body as import('node:stream/web').ReadableStream),
      declaredBytes: declared !== null && /^\d+$/.test(declared) ? Number(declared) : null,
      maxBytes: deps.maxBytes,
    });
    return json(201, { ...saved, path: `/home/genos/Transfer/${saved.name}` });
  } catch (e) {
    // A refused body is not read any further.
    if (e instanceof TransferError && e.status === 413) void req.body?.cancel().catch(() => undefined);
    return fail(e);
  }
}

/** GET /api/environments/<id>/files */
export async function handleList(environmentId: string, deps: FileRouteDeps): Promise<Response> {
  try {
    await authorizeTransfer(deps.prisma, deps.user, environmentId, 'download');
    return json(200, { files: await listTransferFiles(deps.stateDir, environmentId) });
  } catch (e) {
    return fail(e);
  }
}

/** GET /api/environments/<id>/files/<name> */
export async function handleDownload(environmentId: string, rawName: string, deps: FileRouteDeps): Promise<Response> {
  try {
    await authorizeTransfer(deps.prisma, deps.user, environmentId, 'download');
    const file = await openTransferFile(deps.stateDir, environmentId, rawName);
    return new Response(Readable.toWeb(file.stream) as ReadableStream, {
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(file.bytes),
        'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store',
      },
    });
  } catch (e) {
    return fail(e);
  }
}
