import { AppError, type AgentTarget, type DesktopAgentPort, type DesktopWindow } from '@genos/core';

/**
 * A FAKE desktop agent for the API's tests: no socket, no desktop. It keeps a
 * list of windows that focus and close change, and records each call with the
 * socket it was aimed at. The real client is tested in agent/agent-client.test.ts,
 * the real agent in a real desktop.
 */
export class FakeDesktopAgent implements DesktopAgentPort {
  readonly calls: { kind: 'windows' | 'focusWindow' | 'closeWindow'; target: AgentTarget; window?: string }[] = [];
  windowsOpen: DesktopWindow[] = [
    { id: '0x1a00002', title: 'xterm', x: 1, y: 41, width: 484, height: 316, focused: true },
    { id: '0x1c00002', title: 'second', x: 100, y: 141, width: 484, height: 316, focused: false },
  ];

  async windows(target: AgentTarget) {
    this.calls.push({ kind: 'windows', target });
    return this.windowsOpen.map((w) => ({ ...w }));
  }
  async focusWindow(target: AgentTarget, window: string) {
    this.calls.push({ kind: 'focusWindow', target, window });
    this.find(window);
    this.windowsOpen = this.windowsOpen.map((w) => ({ ...w, focused: w.id === window }));
    return { focused: true };
  }
  async closeWindow(target: AgentTarget, window: string) {
    this.calls.push({ kind: 'closeWindow', target, window });
    this.find(window);
    this.windowsOpen = this.windowsOpen.filter((w) => w.id !== window);
    return { closed: true };
  }
  private find(window: string) {
    if (!this.windowsOpen.some((w) => w.id === window)) throw new AppError('NOT_FOUND', `there is no window ${window} on this desktop (it may have closed)`);
  }
}
