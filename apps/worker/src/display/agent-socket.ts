import { waitForPinnedSocket } from './pinned-sockets';

/**
 * The desktop agent's socket (genos-agent, started by genos-desktop beside the
 * display's socket): the web process asks it for the desktop's windows, and to
 * focus or close one. Only root opens it on the host, so it is pinned like the
 * others (the host never connects to a name the desktop controls) but not
 * opened to guacd's group. Images from before the agent have none.
 */
export const AGENT_SOCKET = 'agent.sock';

/**
 * The pinned agent socket, or null when the desktop has none. genos-desktop
 * starts the agent before the display, so once the display is up a short wait
 * is only for a slow start; an image without the agent costs that wait.
 * Throws RefusedSocketError for anything but the desktop's own socket.
 */
export const findAgentSocket = (socketDir: string, guacdGid: number | null, waitMs = 1000): Promise<string | null> =>
  waitForPinnedSocket({ socketDir, name: AGENT_SOCKET, guacdGid, forGuacd: false, waitMs });
