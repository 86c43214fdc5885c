import { authRouter } from './routers/auth';
import { environmentsRouter } from './routers/environments';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  auth: authRouter,
  environments: environmentsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
