'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FilesPanel, SharePanel } from '@genos/ui';
import { useTRPC } from '@/trpc/react';

/** In the side panel of a running desktop: share links and file transfer. */
export function EnvironmentExtras({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const links = useQuery({ ...trpc.environments.share.list.queryOptions({ id }), refetchOnWindowFocus: false });
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.environments.share.list.queryKey({ id }) });
  const create = useMutation(trpc.environments.share.create.mutationOptions({ onSuccess: invalidate }));
  const revoke = useMutation(trpc.environments.share.revoke.mutationOptions({ onSuccess: invalidate }));
  return (
    <div data-testid="environment-extras">
      <SharePanel
        links={links.data}
        origin={typeof window === 'undefined' ? '' : window.location.origin}
        onCreate={(mode, ttlMinutes) => create.mutateAsync({ id, mode, ttlMinutes })}
        onRevoke={(shareId) => revoke.mutateAsync({ shareId })}
      />
      {/* Drops still land on the display, outside the panel. */}
      <FilesPanel environmentId={id} dropTarget='[data-testid="remote-display"]' maxBytes={100 * 1024 * 1024} />
    </div>
  );
}
