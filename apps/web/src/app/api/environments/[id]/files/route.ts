import { env } from '@/env';
import { createContext } from '@/server/api/context';
import { handleList, handleUpload } from '@/server/files/routes';

// Uploads stream to disk with their own limit (100 MB), checked before reading when the size is declared.
export const dynamic = 'force-dynamic';

const deps = async (req: Request) => {
  const ctx = await createContext({ req });
  return { prisma: ctx.prisma, user: ctx.user, stateDir: env().GENOS_STATE_DIR };
};

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return handleList((await params).id, await deps(req));
}

export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return handleUpload(req, (await params).id, await deps(req));
}
