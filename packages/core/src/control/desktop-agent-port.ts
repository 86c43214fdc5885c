/**
 * What core asks of a desktop's own agent (genos-agent in container
 * desktops, reached on the host through DisplayEndpoint.agentSocket): the
 * windows the desktop's window manager knows, and focusing or closing one.
 * The web implements it (apps/web/src/server/control/agent). Screen input
 * goes through guacd like a person's (DesktopControlPort); only what the
 * screen cannot tell comes from the agent.
 */
export interface DesktopWindow {
  /** The X window id, as the agent gives it ("0x1a00002"). */
  id: string;
  title: string;
  /** Where the window's contents are on the screen (inside its frame), in screen pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  focused: boolean;
}

export interface AgentTarget {
  environmentId: string;
  /** The agent's socket on this host (DisplayEndpoint.agentSocket). */
  socket: string;
}

export interface DesktopAgentPort {
  windows(t: AgentTarget): Promise<DesktopWindow[]>;
  /** focused: the window manager gave it focus (false: it asked, nothing changed within a second). */
  focusWindow(t: AgentTarget, windowId: string): Promise<{ focused: boolean }>;
  /** closed: the window is gone (false: asked politely, still open: the app may be asking its user). */
  closeWindow(t: AgentTarget, windowId: string): Promise<{ closed: boolean }>;
}

/** An X window id as the API takes it: 0x and up to 8 hex digits, or a decimal number. */
export const WINDOW_ID_PATTERN = /^(0x[0-9a-fA-F]{1,8}|[0-9]{1,10})$/;

/** UNSUPPORTED's message: said plainly rather than answered with an empty list. */
export const NO_AGENT_MESSAGE = 'this desktop has no agent to list its windows (virtual machines have none yet, nor do container desktops made before it existed)';
