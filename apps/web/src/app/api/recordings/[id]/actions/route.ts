import { createContext } from '@/server/api/context';
import { handleRecordingActions } from '@/server/recordings/routes';

export const dynamic = 'force-dynamic';

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const ctx = await createContext({ req });
  return handleRecordingActions((await params).id, { prisma: ctx.prisma, store: ctx.store, user: ctx.user });
}
