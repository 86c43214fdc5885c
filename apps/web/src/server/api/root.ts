import { adminRouter } from './routers/admin';
import { authRouter } from './routers/auth';
import { composerRouter } from './routers/composer';
import { controlRouter } from './routers/control';
import { environmentsRouter } from './routers/environments';
import { teamsRouter } from './routers/teams';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  admin: adminRouter,
  auth: authRouter,
  composer: composerRouter,
  control: controlRouter,
  environments: environmentsRouter,
  teams: teamsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
