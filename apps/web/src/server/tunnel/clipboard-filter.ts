/**
 * Guacamole protocol plumbing for the tunnel: splitting a message into whole
 * instructions, and the team's clipboard policy applied to both directions.
 *
 * A clipboard transfer is a stream: `clipboard,<stream>,<mimetype>;` then
 * `blob,<stream>,<base64>;`… then `end,<stream>;`. Dropping the `clipboard`
 * instruction alone would leave guacd (or the browser) with blobs for a stream
 * it never opened, so the whole stream is dropped: its index is remembered
 * from `clipboard` until its `end`.
 */

export interface Instruction {
  opcode: string;
  args: string[];
  /** The instruction exactly as received, terminator included. */
  raw: string;
}

/**
 * Parses as many whole instructions as `data` holds; `rest` is an incomplete
 * tail to prepend to the next chunk. Lengths count UTF-16 code units, which is
 * what guacamole-common-js and guacamole-lite both use.
 */
export function parseInstructions(data: string): { instructions: Instruction[]; rest: string } {
  const instructions: Instruction[] = [];
  let start = 0;
  let pos = 0;
  let elements: string[] = [];
  while (pos < data.length) {
    const dot = data.indexOf('.', pos);
    if (dot === -1) break;
    const len = Number(data.slice(pos, dot));
    if (!Number.isInteger(len) || len < 0) throw new Error('malformed Guacamole instruction');
    const end = dot + 1 + len;
    if (end >= data.length) break; // the element or its terminator has not arrived yet
    elements.push(data.slice(dot + 1, end));
    const term = data[end];
    pos = end + 1;
    if (term === ';') {
      const [opcode = '', ...args] = elements;
      instructions.push({ opcode, args, raw: data.slice(start, pos) });
      elements = [];
      start = pos;
    } else if (term !== ',') {
      throw new Error('malformed Guacamole instruction');
    }
  }
  return { instructions, rest: data.slice(start) };
}

export const encodeInstruction = (opcode: string, ...args: string[]) => [opcode, ...args].map((e) => `${e.length}.${e}`).join(',') + ';';

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
