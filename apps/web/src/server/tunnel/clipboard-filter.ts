import type { Instruction } from './guac-parser';

/**
 * The team's clipboard policy, applied to instructions the tunnel's parser
 * (guac-parser.ts) read, in either direction.
 *
 * A clipboard transfer is a stream: `clipboard,<stream>,<mimetype>;` then
 * `blob,<stream>,<base64>;`… then `end,<stream>;`. Dropping the `clipboard`
 * instruction alone would leave guacd (or the browser) with blobs for a stream
 * it never opened, so the whole stream is dropped: its index is remembered
 * from `clipboard` until its `end`.
 */

/**
 * One direction's clipboard gate. `allow` false drops every clipboard stream
 * (and counts them, for the log); everything else passes unchanged.
 */
export function createClipboardGate(allow: boolean) {
  const blocked = new Set<string>();
  let dropped = 0;
  return {
    get dropped() {
      return dropped;
    },
    /** True when the instruction may pass. */
    pass(ins: Instruction): boolean {
      if (allow) return true;
      if (ins.opcode === 'clipboard') {
        blocked.add(ins.args[0] ?? '');
        dropped++;
        return false;
      }
      if ((ins.opcode === 'blob' || ins.opcode === 'end') && blocked.has(ins.args[0] ?? '')) {
        if (ins.opcode === 'end') blocked.delete(ins.args[0] ?? '');
        return false;
      }
      return true;
    },
  };
}

export interface StreamingPolicy {
  /** Remote → local (the desktop's selection reaches the browser). */
  allowCopy: boolean;
  /** Local → remote (the browser's clipboard reaches the desktop). */
  allowPaste: boolean;
}

export const OPEN_POLICY: StreamingPolicy = { allowCopy: true, allowPaste: true };
