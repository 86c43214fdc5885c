import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../spec/environment-spec';
import { canResizeDisplay, fitDisplaySize } from './resize-display';

describe('display resize bounds', () => {
  it('follows the window between 640x480 and the desktop\'s maximum, in even pixels', () => {
    expect(fitDisplaySize(DEFAULT_SPEC, 1401, 901)).toEqual({ width: 1400, height: 900 });
    expect(fitDisplaySize(DEFAULT_SPEC, 390, 300)).toEqual({ width: 640, height: 480 });
    expect(fitDisplaySize(DEFAULT_SPEC, 5000, 3000)).toEqual({ width: 2560, height: 1600 });
    // A spec larger than the usual maximum can always go back to its own size.
    const big = { ...DEFAULT_SPEC, display: { ...DEFAULT_SPEC.display, width: 3840, height: 2160 } };
    expect(fitDisplaySize(big, 5000, 3000)).toEqual({ width: 3840, height: 2160 });
  });

  it('resizes container desktops over VNC only', () => {
    expect(canResizeDisplay(DEFAULT_SPEC)).toBe(true);
    expect(canResizeDisplay({ ...DEFAULT_SPEC, runtime: 'vm' })).toBe(false);
    expect(canResizeDisplay({ ...DEFAULT_SPEC, display: { ...DEFAULT_SPEC.display, protocol: 'rdp' } })).toBe(false);
  });
});
