import { z } from 'zod';
import {
  ControlPacer,
  DEFAULT_CONTROL_RATE,
  getControlStatus,
  handBackControl,
  listControlActions,
  parseKeys,
  runControlAction,
  setProgramsAllowed,
  takeOverControl,
  WINDOW_ID_PATTERN,
  type ControlAction,
} from '@genos/core';
import { env } from '../../../env';
import { MAX_CONTROL_FILE_BYTES, transferFolderFor } from '../../files/transfer-folder';
import { createDesktopAgent } from '../../control/agent/agent-client';
import { protectedProcedure, router, type InnerContext } from '../trpc';

/*
 * Desktops that programs drive (issue 18). Thin: validate, call one use-case
 * (packages/core/src/control). Program procedures need the
 * `environments:control` scope and take the control lease implicitly;
 * take-over, hand-back and the programs switch are the owner's, in the
 * browser (sessions only). Reads are queries, what changes the desktop or its
 * lease a mutation.
 */
const controlProcedure = protectedProcedure.meta({ scope: 'environments:control' });
const ownerProcedure = protectedProcedure;

const id = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'not an environment id');
const coordinate = z.number().int().min(0).max(100_000);
const rect = z.object({ x: coordinate, y: coordinate, width: z.number().int().min(1).max(100_000), height: z.number().int().min(1).max(100_000) }).strict();
const button = z.enum(['left', 'middle', 'right']).default('left');
const windowId = z.string().regex(WINDOW_ID_PATTERN, 'not a window id (0x and up to 8 hex digits, as windows lists them)');

/** Used when a test builds its context without one; the web's is process-wide (control/desktop-control.ts). */
const fallbackPacer = new ControlPacer(DEFAULT_CONTROL_RATE);
/** The agent client is stateless: one for every context that brings none. */
const defaultAgent = createDesktopAgent();

type Ctx = InnerContext & { user: NonNullable<InnerContext['user']>; actor: import('@genos/core').Actor };

/** One control action for the caller: a program when it called with a token, the owner in person otherwise. */
const run = <A extends ControlAction>(ctx: Ctx, envId: string, action: A) =>
  runControlAction({
    store: ctx.store,
    actor: ctx.actor,
    token: ctx.token ? { id: ctx.token.id } : null,
    personName: ctx.user.name ?? ctx.user.email,
    id: envId,
    action,
    engine: ctx.control,
    files: transferFolderFor({ prisma: ctx.prisma, stateDir: () => ctx.stateDir ?? env().GENOS_STATE_DIR, userId: ctx.user.id }),
    agent: ctx.desktopAgent ?? defaultAgent,
    pacer: ctx.controlPacer ?? fallbackPacer,
  });

const mouseInput = z.discriminatedUnion('action', [
  z.object({ id, action: z.literal('move'), x: coordinate, y: coordinate }).strict(),
  z.object({ id, action: z.enum(['click', 'doubleClick', 'down', 'up']), x: coordinate, y: coordinate, button }).strict(),
  z.object({ id, action: z.literal('drag'), x: coordinate, y: coordinate, toX: coordinate, toY: coordinate, button }).strict(),
  z.object({ id, action: z.literal('scroll'), x: coordinate, y: coordinate, dy: z.number().int().min(-100).max(100).refine((n) => n !== 0, 'scroll by at least one notch') }).strict(),
]);

/** Base64 of at most MAX_CONTROL_FILE_BYTES. */
const base64 = z
  .string()
  .max(Math.ceil(MAX_CONTROL_FILE_BYTES / 3) * 4, `files through the control API are at most ${MAX_CONTROL_FILE_BYTES / 1024 / 1024} MB`)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');

export const controlRouter = router({
  status: controlProcedure.input(z.object({ id }).strict()).query(({ ctx, input }) => getControlStatus({ store: ctx.store, actor: ctx.actor, id: input.id })),

  screenshot: controlProcedure
    .input(z.object({ id, region: rect.optional(), scale: z.number().min(0.05).max(1).optional() }).strict())
    .query(async ({ ctx, input }) => {
      const shot = await run(ctx, input.id, { kind: 'screenshot', region: input.region, scale: input.scale });
      return { png: shot.png.toString('base64'), width: shot.width, height: shot.height, version: shot.version };
    }),

  waitForChange: controlProcedure
    .input(z.object({ id, sinceVersion: z.number().int().min(0).optional(), timeoutMs: z.number().int().min(0).max(30_000).default(10_000), region: rect.optional() }).strict())
    .query(({ ctx, input }) => run(ctx, input.id, { kind: 'waitForChange', sinceVersion: input.sinceVersion, timeoutMs: input.timeoutMs, region: input.region })),

  mouse: controlProcedure.input(mouseInput).mutation(({ ctx, input }) => {
    const { id: envId, ...mouse } = input;
    return run(ctx, envId, { kind: 'mouse', mouse });
  }),

  keyboard: controlProcedure
    .input(
      z
        .object({ id, keys: z.string().trim().min(1).max(1000).optional(), text: z.string().min(1).max(10_000).optional() })
        .strict()
        .refine((i) => i.keys !== undefined || i.text !== undefined, 'give keys to press ("ctrl+alt+t Return") or text to type'),
    )
    .mutation(({ ctx, input }) =>
      // parseKeys refuses an unknown key name (VALIDATION) before anything is sent.
      run(ctx, input.id, { kind: 'keyboard', keys: input.keys, keysyms: input.keys ? parseKeys(input.keys) : undefined, text: input.text }),
    ),

  clipboardGet: controlProcedure.input(z.object({ id }).strict()).query(({ ctx, input }) => run(ctx, input.id, { kind: 'clipboardGet' })),

  clipboardSet: controlProcedure
    .input(z.object({ id, text: z.string().max(65_536) }).strict())
    .mutation(({ ctx, input }) => run(ctx, input.id, { kind: 'clipboardSet', text: input.text })),

  filesList: controlProcedure.input(z.object({ id }).strict()).query(({ ctx, input }) => run(ctx, input.id, { kind: 'filesList' })),

  filesPut: controlProcedure
    .input(z.object({ id, name: z.string().min(1).max(200), contentBase64: base64 }).strict())
    .mutation(({ ctx, input }) => run(ctx, input.id, { kind: 'filesPut', name: input.name, content: Buffer.from(input.contentBase64, 'base64') })),

  filesGet: controlProcedure.input(z.object({ id, name: z.string().min(1).max(200) }).strict()).query(async ({ ctx, input }) => {
    const file = await run(ctx, input.id, { kind: 'filesGet', name: input.name });
    return { name: file.name, bytes: file.content.length, contentBase64: file.content.toString('base64') };
  }),

  // Through the desktop's agent: UNSUPPORTED where there is none (VMs), never an empty list.
  windows: controlProcedure.input(z.object({ id }).strict()).query(({ ctx, input }) => run(ctx, input.id, { kind: 'windows' })),

  focusWindow: controlProcedure
    .input(z.object({ id, window: windowId }).strict())
    .mutation(({ ctx, input }) => run(ctx, input.id, { kind: 'focusWindow', window: input.window })),

  closeWindow: controlProcedure
    .input(z.object({ id, window: windowId }).strict())
    .mutation(({ ctx, input }) => run(ctx, input.id, { kind: 'closeWindow', window: input.window })),

  cursor: controlProcedure.input(z.object({ id }).strict()).query(({ ctx, input }) => run(ctx, input.id, { kind: 'cursor' })),

  actions: controlProcedure
    .input(z.object({ id, limit: z.number().int().min(1).max(1000).optional() }).strict())
    .query(({ ctx, input }) => listControlActions({ store: ctx.store, actor: ctx.actor, id: input.id, limit: input.limit })),

  // The owner in the browser.
  takeOver: ownerProcedure.input(z.object({ id }).strict()).mutation(({ ctx, input }) => takeOverControl({ store: ctx.store, actor: ctx.actor, id: input.id })),

  handBack: ownerProcedure.input(z.object({ id }).strict()).mutation(({ ctx, input }) => handBackControl({ store: ctx.store, actor: ctx.actor, id: input.id })),

  setProgramsAllowed: ownerProcedure
    .input(z.object({ id, allowed: z.boolean() }).strict())
    .mutation(({ ctx, input }) => setProgramsAllowed({ store: ctx.store, actor: ctx.actor, id: input.id, allowed: input.allowed })),
});
