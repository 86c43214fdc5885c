// Issue 15: deadlines and durations through chrono-node, counted from the request's time.
import { describe, expect, it } from 'vitest';
import { FULL_CAPABILITIES } from '../spec/deployment-capabilities';
import { composeEnvironment } from './compose-environment';

// Wednesday 4 March 2026, 09:00 local time.
const now = new Date(2026, 2, 4, 9, 0, 0);
const hours = (request: string) => {
  const r = composeEnvironment({ request, capabilities: FULL_CAPABILITIES, now });
  expect(r.status, `${request}: ${JSON.stringify(r.problems)} ${JSON.stringify(r.questions)}`).toBe('ok');
  return r.spec!.lifetime.maxHours;
};

describe('deadlines and durations', () => {
  it.each([
    ['gimp until 5 pm', 8],
    ['vlc till 3pm', 6],
    ['libreoffice till Monday', 123],
    ['inkscape for the rest of the day', 15],
    ['a two-hour class with geogebra', 2],
    ['scribus for a 90-minute session', 1.5],
    ['vim until 8 am', 23],
    ['LibreOffice jusqu\'à 17h', 8],
    ['GIMP bis 16 Uhr bitte', 7],
    ['VLC hasta las 14:00', 5],
    ['Inkscape até às 18h', 9],
    ['Kateを15時まで使いたい', 6],
    ['Audacity für 3 Stunden', 3],
    ['VLC用3个小时', 3],
  ])('%s → %d hours', (request, expected) => {
    expect(hours(request)).toBe(expected);
  });

  it('states the end time and the words it came from', () => {
    const r = composeEnvironment({ request: 'libreoffice till Monday', capabilities: FULL_CAPABILITIES, now });
    expect(r.assumptions.join(' ')).toMatch(/Ends Mon 2026-03-09 12:00 \(no time of day was given: noon\), 123 hours from the request, as "till monday" asked/);
  });

  it('refuses a deadline past the 30-day limit', () => {
    const r = composeEnvironment({ request: 'gimp until 5 pm next month', capabilities: FULL_CAPABILITIES, now });
    expect(r.status).toBe('unsatisfiable');
    expect(r.problems[0]?.kind).toBe('invalid');
  });

  it('binds units only to numbers: "am" is not minutes, "3D" is not three days', () => {
    expect(hours('I am going to edit some photos, gimp')).toBe(8);
    expect(hours('blender for 3D animation')).toBe(8);
    expect(hours('gimp, 2d')).toBe(48);
  });
});
