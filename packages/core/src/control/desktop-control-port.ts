/**
 * What core asks of the desktop engine (apps/web/src/server/control/engine,
 * guacd-backed). The shapes are the engine's own (issue 18 contract), so the
 * web passes its engine in as is. Input goes through guacd like a person's,
 * so it shows in the shared view and in recordings.
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type MouseButton = 'left' | 'middle' | 'right';

export type MouseAction =
  | { action: 'move'; x: number; y: number }
  | { action: 'click' | 'doubleClick' | 'down' | 'up'; x: number; y: number; button: MouseButton }
  | { action: 'drag'; x: number; y: number; toX: number; toY: number; button: MouseButton }
  /** dy: notches, positive scrolls down. */
  | { action: 'scroll'; x: number; y: number; dy: number };

export interface ControlTarget {
  environmentId: string;
  /** What the tunnel would send guacd: tunnelSettingsFor(env.displayEndpoint, env.spec.display). */
  connection: { type: 'vnc' | 'rdp'; settings: Record<string, string | number | boolean> };
  width: number;
  height: number;
}

export interface KeyboardAction {
  /** Chords from parseKeys: each pressed in order, released in reverse. */
  keysyms?: number[][];
  /** Typed character by character (textToKeysyms), before the chords. */
  text?: string;
}

export interface DesktopControlPort {
  screenshot(t: ControlTarget, o: { region?: Rect; scale?: number }): Promise<{ png: Buffer; width: number; height: number; version: number }>;
  waitForChange(t: ControlTarget, o: { sinceVersion?: number; timeoutMs: number; region?: Rect }): Promise<{ changed: boolean; version: number }>;
  mouse(t: ControlTarget, a: MouseAction): Promise<{ x: number; y: number }>;
  keyboard(t: ControlTarget, a: KeyboardAction): Promise<{ sent: number }>;
  clipboardGet(t: ControlTarget): Promise<{ text: string }>;
  clipboardSet(t: ControlTarget, text: string): Promise<void>;
  cursor(t: ControlTarget): Promise<{ x: number; y: number }>;
  /** Drops the connection to one desktop (it stopped, or its lease ended). */
  close(environmentId: string): void;
  closeAll(): void;
}

/**
 * The desktop's Transfer folder (the web's files/transfer.ts), for the files
 * procedures; core checks who may, the web touches the disk.
 */
export interface TransferFolderPort {
  list(environmentId: string): Promise<{ name: string; bytes: number; modifiedAt: string }[]>;
  put(environmentId: string, name: string, content: Buffer): Promise<{ name: string; bytes: number }>;
  get(environmentId: string, name: string): Promise<{ name: string; content: Buffer }>;
}
