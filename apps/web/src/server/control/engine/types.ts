// The engine implements core's port as is: one definition of the shapes (packages/core/src/control/desktop-control-port.ts).
export type { ControlTarget, DesktopControlPort as DesktopEngine, KeyboardAction, MouseAction, MouseButton, Rect } from '@genos/core';
