import type { ControlTarget, DesktopControlPort, MouseAction } from '@genos/core';

/** One call the fake received, in order. */
export type FakeEngineCall =
  | { kind: 'screenshot'; environmentId: string }
  | { kind: 'waitForChange'; environmentId: string; sinceVersion?: number }
  | { kind: 'mouse'; environmentId: string; action: MouseAction }
  | { kind: 'keyboard'; environmentId: string; keysyms?: number[][]; text?: string }
  | { kind: 'clipboardGet' | 'cursor'; environmentId: string }
  | { kind: 'clipboardSet'; environmentId: string; text: string };

/** A 1×1 transparent PNG: the fake's every screenshot. */
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/**
 * A FAKE desktop engine for the API's tests: no guacd, no desktop. It
 * records what reached it, in order, and keeps a pointer, a clipboard and a
 * screen version (bumped by every input) so answers are plausible. The real
 * engine (control/engine) is tested against real desktops.
 */
export class FakeDesktopEngine implements DesktopControlPort {
  readonly calls: FakeEngineCall[] = [];
  readonly targets: ControlTarget[] = [];
  private version = 1;
  private pointer = { x: 0, y: 0 };
  private clipboard = '';
  closed: string[] = [];

  private seen(t: ControlTarget, call: FakeEngineCall) {
    this.targets.push(t);
    this.calls.push(call);
  }

  async screenshot(t: ControlTarget) {
    this.seen(t, { kind: 'screenshot', environmentId: t.environmentId });
    return { png: PIXEL, width: t.width, height: t.height, version: this.version };
  }
  async waitForChange(t: ControlTarget, o: { sinceVersion?: number; timeoutMs: number }) {
    this.seen(t, { kind: 'waitForChange', environmentId: t.environmentId, sinceVersion: o.sinceVersion });
    return { changed: o.sinceVersion === undefined || o.sinceVersion < this.version, version: this.version };
  }
  async mouse(t: ControlTarget, a: MouseAction) {
    this.seen(t, { kind: 'mouse', environmentId: t.environmentId, action: a });
    this.pointer = a.action === 'drag' ? { x: a.toX, y: a.toY } : { x: a.x, y: a.y };
    this.version++;
    return { ...this.pointer };
  }
  async keyboard(t: ControlTarget, a: { keysyms?: number[][]; text?: string }) {
    this.seen(t, { kind: 'keyboard', environmentId: t.environmentId, keysyms: a.keysyms, text: a.text });
    this.version++;
    return { sent: (a.keysyms?.length ?? 0) + [...(a.text ?? '')].length };
  }
  async clipboardGet(t: ControlTarget) {
    this.seen(t, { kind: 'clipboardGet', environmentId: t.environmentId });
    return { text: this.clipboard };
  }
  async clipboardSet(t: ControlTarget, text: string) {
    this.seen(t, { kind: 'clipboardSet', environmentId: t.environmentId, text });
    this.clipboard = text;
  }
  async cursor(t: ControlTarget) {
    this.seen(t, { kind: 'cursor', environmentId: t.environmentId });
    return { ...this.pointer };
  }
  close(environmentId: string) {
    this.closed.push(environmentId);
  }
  closeAll() {
    this.closed.push('*');
  }
}
