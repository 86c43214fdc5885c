import { TOR_BROWSER_APP, TOR_BROWSER_STAND_IN } from '../catalog/tor-browser';
import { torBrowserUnavailableReason } from '../spec/check-supported';
import { torBrowserAvailable, type DeploymentCapabilities } from '../spec/deployment-capabilities';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Apps this deployment cannot install, replaced by what can work here, each
 * with a notice the spec card shows plainly, rather than a desktop whose app
 * cannot start. Today one: Tor Browser without a Tor Browser source becomes
 * Firefox ESR forced through the Tor gateway (network mode tor), which is not
 * Tor Browser and says so. `draft` is whatever a composer wrote (a model's
 * answer too): anything not shaped like a spec is left to the schema check.
 */
export function standInForUnavailableApps(draft: unknown, caps: DeploymentCapabilities): { draft: unknown; notices: string[] } {
  if (!isRecord(draft) || !Array.isArray(draft.apps) || !draft.apps.includes(TOR_BROWSER_APP)) return { draft, notices: [] };
  const runtime = draft.runtime === 'vm' ? 'vm' : 'container';
  if (torBrowserAvailable(caps, runtime)) return { draft, notices: [] };

  const apps = [...new Set(draft.apps.map((id) => (id === TOR_BROWSER_APP ? TOR_BROWSER_STAND_IN : id)))];
  const network = isRecord(draft.network) ? draft.network : {};
  // No network or the team network was asked for in so many words (the composer reports Tor with
  // either as a conflict first): kept. Otherwise the stand-in only makes sense through Tor.
  const kept = network.mode === 'none' || network.mode === 'team';
  const next: Record<string, unknown> = { ...draft, apps };
  if (!kept) next.network = { ...network, mode: 'tor', allowHosts: [] };
  if (typeof draft.name === 'string') next.name = draft.name.replace(TOR_BROWSER_APP, TOR_BROWSER_STAND_IN);
  const instead = kept ? 'Firefox ESR instead' : 'Firefox ESR instead, with all its traffic forced through the Tor gateway';
  return {
    draft: next,
    notices: [
      `${torBrowserUnavailableReason(caps, runtime)}: this desktop gets ${instead}. It is not Tor Browser: its fingerprint differs from Tor Browser's, so websites can tell it apart from Tor Browser users.`,
    ],
  };
}
