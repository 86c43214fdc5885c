import { createContext } from '@/server/api/context';
import { secretKeys } from '@/server/auth/secret-keys';
import { handleRecordingStream } from '@/server/recordings/routes';

export const dynamic = 'force-dynamic';

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const ctx = await createContext({ req });
  return handleRecordingStream((await params).id, { prisma: ctx.prisma, keys: secretKeys(ctx.prisma), user: ctx.user });
}
