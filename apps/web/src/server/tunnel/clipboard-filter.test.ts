import { describe, expect, it } from 'vitest';
import { createClipboardGate, encodeInstruction, parseInstructions } from './clipboard-filter';

describe('Guacamole instruction parsing', () => {
  it('splits whole instructions and keeps an incomplete tail', () => {
    const a = encodeInstruction('sync', '12');
    const b = encodeInstruction('blob', '3', 'aGVsbG8=');
    const { instructions, rest } = parseInstructions(a + b.slice(0, 9));
    expect(instructions.map((i) => i.opcode)).toEqual(['sync']);
    expect(rest).toBe(b.slice(0, 9));
    const next = parseInstructions(rest + b.slice(9));
    expect(next.instructions[0]).toEqual({ opcode: 'blob', args: ['3', 'aGVsbG8='], raw: b });
    expect(next.rest).toBe('');
  });

  it('handles the internal (empty) opcode and refuses garbage', () => {
    expect(parseInstructions('0.,4.ping,3.123;').instructions[0]).toMatchObject({ opcode: '', args: ['ping', '123'] });
    expect(() => parseInstructions('x.abc;')).toThrow(/malformed/);
    expect(() => parseInstructions('3.abcX')).toThrow(/malformed/);
  });
});

describe('clipboard gate', () => {
  const p = (s: string) => parseInstructions(s).instructions;
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
