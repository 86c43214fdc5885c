import { env } from '@/env';
import { createContext } from '@/server/api/context';
import { handleDownload } from '@/server/files/routes';

export const dynamic = 'force-dynamic';

export async function GET(req: Request, { params }: { params: Promise<{ id: string; name: string }> }) {
  const { id, name } = await params;
  const ctx = await createContext({ req });
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // already decoded
  }
  return handleDownload(id, decoded, { prisma: ctx.prisma, user: ctx.user, stateDir: env().GENOS_STATE_DIR });
}
