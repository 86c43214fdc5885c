import { describe, expect, it } from 'vitest';
import { createViewOnlyGate, splitInstructions } from './view-only';

const ins = (...els: string[]) => els.map((e) => `${e.length}.${e}`).join(',') + ';';

describe('view-only gate', () => {
  it('passes display acknowledgements and keep-alives, drops every kind of input', () => {
    const gate = createViewOnlyGate();
    const allowed = ins('sync', '1234') + ins('', 'ping', '99') + ins('nop') + ins('ack', '1', 'OK', '0');
    const input =
      ins('key', '97', '1') +
      ins('mouse', '10', '10', '1') +
      ins('touch', '0', '1', '1', '1', '1', '0', '1') +
      ins('clipboard', '0', 'text/plain') +
      ins('blob', '0', 'aGk=') +
      ins('end', '0') +
      ins('file', '1', 'text/plain', 'x.txt') +
      ins('pipe', '2', 'text/plain', 'p') +
      ins('size', '100', '100') +
      ins('argv', '3', 'text/plain', 'read-only');
    expect(gate.filter(allowed + input)).toBe(allowed);
    expect(gate.dropped).toBe(10);
  });

  it('keeps an instruction split across messages whole, and does not let input through its pieces', () => {
    const gate = createViewOnlyGate();
    const key = ins('key', '65307', '1');
    expect(gate.filter(key.slice(0, 5))).toBe('');
    expect(gate.filter(key.slice(5) + ins('sync', '1'))).toBe(ins('sync', '1'));
    // Lengths count UTF-16 units: a multi-byte value does not desynchronise the parser.
    expect(gate.filter(ins('sync', 'é€😀') + ins('key', '1', '1'))).toBe(ins('sync', 'é€😀'));
  });

  it('refuses malformed input', () => {
    expect(() => createViewOnlyGate().filter('4.key;x')).toThrow();
    expect(() => splitInstructions('x.key;')).toThrow();
    expect(() => createViewOnlyGate().filter(`999999.${'a'.repeat(70_000)}`)).toThrow(/too long/);
  });
});
