import { describe, expect, it } from 'vitest';
import { guacdAdvisory } from './guacd-advisory';

describe('guacdAdvisory', () => {
  it('warns about the guacd Debian ships, and says what to use instead', () => {
    expect(guacdAdvisory('1.3.0')).toMatch(/^guacd 1\.3\.0 is older than 1\.5\.4, the first release without known vulnerabilities.*guacamole\/guacd/);
    expect(guacdAdvisory('1.5.3')).toMatch(/older than 1\.5\.4/);
    expect(guacdAdvisory('protocol 1.3.0')).toMatch(/older than 1\.5\.4/);
  });

  it('says nothing of a current guacd', () => {
    expect(guacdAdvisory('1.5.4')).toBeNull();
    expect(guacdAdvisory('1.6.0')).toBeNull();
    expect(guacdAdvisory('2.0.1')).toBeNull();
    expect(guacdAdvisory('protocol 1.5.0')).toBeNull();
  });

  it('does not pretend to know an unknown or unreadable version', () => {
    expect(guacdAdvisory(null)).toMatch(/unknown/);
    expect(guacdAdvisory('banana')).toMatch(/could not be read/);
  });
});
