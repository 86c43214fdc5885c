import { describe, it, expect } from 'vitest';
import { APP_CATALOG_DATA } from './app-catalog-data';
import { APP_CATEGORIES } from './app-catalog';
import { UNAVAILABLE_SOFTWARE } from './unavailable-software';

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const ids = new Set(APP_CATALOG_DATA.map((a) => a.id));

/** Every phrase that names an app, the way the composer's index reads it. */
const key = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

describe('APP_CATALOG_DATA', () => {
  it('knows at least 150 apps', () => {
    expect(APP_CATALOG_DATA.length).toBeGreaterThanOrEqual(150);
  });

  it('starts with the preinstalled xterm and keeps x11-apps', () => {
    const [first] = APP_CATALOG_DATA;
    expect(first?.id).toBe('xterm');
    expect(first?.preinstalled).toBe(true);
    expect(first?.generic).toEqual(['terminal', 'shell', 'console', 'command line']);
    const x11 = APP_CATALOG_DATA.find((a) => a.id === 'x11-apps');
    expect(x11?.command).toBe('xclock');
    expect(x11?.packages).toEqual(['x11-apps']);
  });

  it('has unique ids', () => {
    expect(ids.size).toBe(APP_CATALOG_DATA.length);
  });

  it('uses Debian package names for ids and packages', () => {
    for (const app of APP_CATALOG_DATA) {
      expect(app.id, app.id).toMatch(PACKAGE_NAME);
      expect(app.packages.length, app.id).toBeGreaterThan(0);
      for (const p of app.packages) expect(p, app.id).toMatch(PACKAGE_NAME);
      expect(new Set(app.packages).size, app.id).toBe(app.packages.length);
    }
  });

  it('has a name and a command for every app', () => {
    for (const app of APP_CATALOG_DATA) {
      expect(app.name.trim(), app.id).not.toBe('');
      expect(app.command.trim(), app.id).not.toBe('');
    }
  });

  it('puts every app in a known category, and every category has several apps', () => {
    const known = new Set<string>(APP_CATEGORIES);
    for (const app of APP_CATALOG_DATA) expect(known.has(app.category), `${app.id}: ${app.category}`).toBe(true);
    for (const category of APP_CATEGORIES) {
      expect(APP_CATALOG_DATA.filter((a) => a.category === category).length, category).toBeGreaterThanOrEqual(3);
    }
  });

  it('keeps aliases and generic terms lowercase, trimmed and non-empty', () => {
    for (const app of APP_CATALOG_DATA) {
      for (const term of [...app.aliases, ...app.generic]) {
        expect(term, app.id).toBe(term.toLowerCase());
        expect(term, app.id).toBe(key(term));
        expect(term.length, app.id).toBeGreaterThan(0);
      }
    }
  });

  it('never lets two apps claim the same alias', () => {
    const owner = new Map<string, string>();
    for (const app of APP_CATALOG_DATA) {
      for (const alias of new Set(app.aliases)) {
        expect(owner.get(alias), `alias "${alias}" of ${app.id}`).toBeUndefined();
        owner.set(alias, app.id);
      }
    }
  });

  it('never lets two apps claim the same generic term', () => {
    const owner = new Map<string, string>();
    for (const app of APP_CATALOG_DATA) {
      for (const term of new Set(app.generic)) {
        expect(owner.get(term), `generic "${term}" of ${app.id}`).toBeUndefined();
        owner.set(term, app.id);
      }
    }
  });

  it('never names one app with a phrase that belongs to another', () => {
    // id, name, aliases and generic terms share one phrase index in the composer.
    const owner = new Map<string, string>();
    for (const app of APP_CATALOG_DATA) {
      const phrases = new Set([app.id, app.name, ...app.aliases, ...app.generic].map(key));
      for (const phrase of phrases) {
        const prior = owner.get(phrase);
        expect(prior === undefined || prior === app.id, `"${phrase}" is claimed by ${prior} and ${app.id}`).toBe(true);
        owner.set(phrase, app.id);
      }
    }
  });

  it('starts command-line tools in a terminal', () => {
    for (const app of APP_CATALOG_DATA.filter((a) => !a.requires.desktop)) {
      expect(app.command, app.id).toMatch(/^xterm\b/);
    }
  });

  it('gives the expected defaults for common generic terms', () => {
    const winner = (term: string) => APP_CATALOG_DATA.find((a) => a.generic.includes(term))?.id;
    expect(winner('browser')).toBe('firefox-esr');
    expect(winner('office suite')).toBe('libreoffice');
    expect(winner('photo editor')).toBe('gimp');
    expect(winner('torrent client')).toBe('transmission-gtk');
    expect(winner('code editor')).toBe('geany');
    expect(winner('text editor')).toBe('mousepad');
    expect(winner('email client')).toBe('thunderbird');
    expect(winner('password manager')).toBe('keepassxc');
    expect(winner('video editor')).toBe('kdenlive');
    expect(winner('audio editor')).toBe('audacity');
    expect(winner('pdf reader')).toBe('evince');
    expect(winner('video player')).toBe('vlc');
    expect(winner('file manager')).toBe('thunar');
    expect(winner('calculator')).toBe('galculator');
  });

  it('marks only kernel-level tools as needing a VM', () => {
    const vm = new Set(APP_CATALOG_DATA.filter((a) => a.requires.vm).map((a) => a.id));
    for (const id of ['docker.io', 'qemu-system-x86', 'virt-manager', 'wireshark', 'tcpdump', 'gparted']) expect(vm.has(id), id).toBe(true);
    for (const id of ['firefox-esr', 'libreoffice', 'gimp', 'git', 'python3', 'xterm']) expect(vm.has(id), id).toBe(false);
  });
});

describe('UNAVAILABLE_SOFTWARE', () => {
  const catalogPhrases = new Set(APP_CATALOG_DATA.flatMap((a) => [a.id, a.name, ...a.aliases, ...a.generic].map(key)));

  it('lists the well-known programs Debian cannot install', () => {
    expect(UNAVAILABLE_SOFTWARE.length).toBeGreaterThanOrEqual(35);
    const names = new Set(UNAVAILABLE_SOFTWARE.flatMap((u) => u.names));
    for (const n of ['photoshop', 'microsoft office', 'vscode', 'slack', 'zoom', 'spotify', 'discord', 'autocad', 'matlab']) {
      expect(names.has(n), n).toBe(true);
    }
  });

  it('keeps names lowercase and unique across entries', () => {
    const seen = new Map<string, number>();
    UNAVAILABLE_SOFTWARE.forEach((entry, i) => {
      expect(entry.names.length).toBeGreaterThan(0);
      for (const n of entry.names) {
        expect(n).toBe(key(n));
        expect(seen.get(n), `"${n}" listed twice`).toBeUndefined();
        seen.set(n, i);
      }
    });
  });

  it('does not collide with any catalog id, name, alias or generic term', () => {
    for (const entry of UNAVAILABLE_SOFTWARE) {
      for (const n of entry.names) expect(catalogPhrases.has(n), `"${n}" is in the catalog`).toBe(false);
    }
  });

  it('gives a short reason and real catalog ids as alternatives', () => {
    for (const entry of UNAVAILABLE_SOFTWARE) {
      expect(entry.reason.trim(), entry.names[0]).not.toBe('');
      expect(entry.alternatives.length, entry.names[0]).toBeGreaterThan(0);
      for (const alt of entry.alternatives) expect(ids.has(alt), `${entry.names[0]} → ${alt}`).toBe(true);
    }
  });
});
