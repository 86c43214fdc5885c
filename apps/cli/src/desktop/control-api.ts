import type { Client } from '../client';

/**
 * The `control` router's procedures as the CLI and the MCP server use them
 * (issue 18's contract). Everything above this file talks to this interface,
 * not to the tRPC client, so tests drive it with a fake and a change in the
 * router's shapes shows up as a type error in `controlApi` alone.
 */
export type Rect = { x: number; y: number; width: number; height: number };
export type MouseButton = 'left' | 'middle' | 'right';
export type MouseInput =
  | { id: string; action: 'move'; x: number; y: number }
  | { id: string; action: 'click' | 'doubleClick' | 'down' | 'up'; x: number; y: number; button: MouseButton }
  | { id: string; action: 'drag'; x: number; y: number; toX: number; toY: number; button: MouseButton }
  | { id: string; action: 'scroll'; x: number; y: number; dy: number };

export type ControlStatus = { holder: { kind: 'program' | 'person'; name: string } | null; programsAllowed: boolean; suspendedProgram: string | null };
export type Screenshot = { png: string; width: number; height: number; version: number };
export type WindowInfo = { id: string; title: string; x: number; y: number; width: number; height: number; focused: boolean };
export type ActionRecord = { at: string; actor: unknown; action: string; params: unknown; screenshotRef: string | null };

export interface ControlApi {
  status(i: { id: string }): Promise<ControlStatus>;
  screenshot(i: { id: string; region?: Rect; scale?: number }): Promise<Screenshot>;
  waitForChange(i: { id: string; sinceVersion?: number; timeoutMs?: number; region?: Rect }): Promise<{ changed: boolean; version: number }>;
  mouse(i: MouseInput): Promise<{ x: number; y: number }>;
  keyboard(i: { id: string; keys?: string; text?: string }): Promise<{ sent: number }>;
  clipboardGet(i: { id: string }): Promise<{ text: string }>;
  clipboardSet(i: { id: string; text: string }): Promise<unknown>;
  filesList(i: { id: string }): Promise<unknown>;
  filesPut(i: { id: string; name: string; contentBase64: string }): Promise<unknown>;
  filesGet(i: { id: string; name: string }): Promise<{ contentBase64: string }>;
  windows(i: { id: string }): Promise<WindowInfo[]>;
  focusWindow(i: { id: string; window: string }): Promise<{ focused: boolean }>;
  closeWindow(i: { id: string; window: string }): Promise<{ closed: boolean }>;
  cursor(i: { id: string }): Promise<{ x: number; y: number }>;
  actions(i: { id: string; limit?: number }): Promise<ActionRecord[]>;
}

/**
 * The real router behind the interface. Reads are queries, anything that
 * changes the desktop or its lease is a mutation (the contract does not say;
 * this is tRPC's convention, and filesPut's payload could not ride in a GET).
 */
export function controlApi(client: Client): ControlApi {
  const c = client.control;
  return {
    status: (i) => c.status.query(i),
    screenshot: (i) => c.screenshot.query(i),
    waitForChange: (i) => c.waitForChange.query(i),
    mouse: (i) => c.mouse.mutate(i),
    keyboard: (i) => c.keyboard.mutate(i),
    clipboardGet: (i) => c.clipboardGet.query(i),
    clipboardSet: (i) => c.clipboardSet.mutate(i),
    filesList: (i) => c.filesList.query(i),
    filesPut: (i) => c.filesPut.mutate(i),
    filesGet: (i) => c.filesGet.query(i),
    windows: (i) => c.windows.query(i),
    focusWindow: (i) => c.focusWindow.mutate(i),
    closeWindow: (i) => c.closeWindow.mutate(i),
    cursor: (i) => c.cursor.query(i),
    actions: (i) => c.actions.query(i),
  };
}
