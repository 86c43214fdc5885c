'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ControlBar, showControlBar } from '@genos/ui';
import { useTRPC } from '@/trpc/react';
import { errorMessage } from '../error-message';

/** How often the owner's page asks who is in control: a program's lease changes with its calls, which send no live events. */
const POLL_MS = 2000;

/**
 * The control bar above a running desktop, for its owner: shown once a
 * program holds or held control (or programs are turned off), with Take
 * over / Hand back and the programs switch.
 */
export function EnvironmentControl({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery({ ...trpc.control.status.queryOptions({ id }), refetchInterval: POLL_MS, refetchOnWindowFocus: true, retry: false });
  // Each mutation answers with the new status: shown at once, without waiting for the next poll.
  const onSuccess = (next: NonNullable<typeof status.data>) => queryClient.setQueryData(trpc.control.status.queryKey({ id }), next);
  const takeOver = useMutation(trpc.control.takeOver.mutationOptions({ onSuccess }));
  const handBack = useMutation(trpc.control.handBack.mutationOptions({ onSuccess }));
  const allow = useMutation(trpc.control.setProgramsAllowed.mutationOptions({ onSuccess }));
  if (!showControlBar(status.data)) return null;
  const failed = takeOver.error ?? handBack.error ?? allow.error;
  return (
    <ControlBar
      status={status.data}
      pending={takeOver.isPending || handBack.isPending || allow.isPending}
      error={failed ? errorMessage(failed) : null}
      onTakeOver={() => takeOver.mutate({ id })}
      onHandBack={() => handBack.mutate({ id })}
      onAllowPrograms={(allowed) => allow.mutate({ id, allowed })}
    />
  );
}
