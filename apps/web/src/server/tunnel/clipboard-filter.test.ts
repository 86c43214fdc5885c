import { describe, expect, it } from 'vitest';
import { createClipboardGate } from './clipboard-filter';
import { BROWSER_LIMITS, encodeInstruction, parseComplete } from './guac-parser';

describe('clipboard gate', () => {
  const p = (s: string) => parseComplete(s, BROWSER_LIMITS);
  it('drops a whole clipboard stream but not other streams or instructions', () => {
    const gate = createClipboardGate(false);
    const input = p(
      encodeInstruction('clipboard', '1', 'text/plain') +
        encodeInstruction('blob', '2', 'ZmlsZQ==') +
        encodeInstruction('blob', '1', 'c2VjcmV0') +
        encodeInstruction('end', '1') +
        encodeInstruction('key', '97', '1') +
        encodeInstruction('blob', '1', 'YWZ0ZXI='),
    );
    expect(input.filter((i) => gate.pass(i)).map((i) => `${i.opcode}:${i.args[0]}`)).toEqual(['blob:2', 'key:97', 'blob:1']);
    expect(gate.dropped).toBe(1);
  });

  it('passes everything when allowed', () => {
    const gate = createClipboardGate(true);
    expect(p(encodeInstruction('clipboard', '1', 'text/plain')).every((i) => gate.pass(i))).toBe(true);
  });
});
