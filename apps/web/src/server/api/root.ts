import { adminRouter } from './routers/admin';
import { authRouter } from './routers/auth';
import { composerRouter } from './routers/composer';
import { environmentsRouter } from './routers/environments';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  admin: adminRouter,
  auth: authRouter,
  composer: composerRouter,
  environments: environmentsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
