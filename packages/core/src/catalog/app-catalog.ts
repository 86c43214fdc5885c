/**
 * Applications this deployment knows how to install. Ids are Debian package
 * names (the spec's `apps`). `command` is what the desktop launches at start;
 * `preinstalled` apps live in the base image and need no app layer.
 */
export interface CatalogApp {
  id: string;
  name: string;
  aliases: string[];
  category: 'terminal' | 'browser' | 'office' | 'graphics' | 'media' | 'editor' | 'utility' | 'development';
  packages: string[];
  command: string;
  needsNetwork: boolean;
  preinstalled?: boolean;
}

export const APP_CATALOG: readonly CatalogApp[] = [
  { id: 'xterm', name: 'XTerm', aliases: ['xterm', 'terminal', 'shell', 'console', 'command line'], category: 'terminal', packages: ['xterm'], command: 'xterm', needsNetwork: false, preinstalled: true },
  { id: 'firefox-esr', name: 'Firefox ESR', aliases: ['firefox', 'firefox esr', 'mozilla', 'web browser', 'browser'], category: 'browser', packages: ['firefox-esr'], command: 'firefox-esr', needsNetwork: true },
  { id: 'chromium', name: 'Chromium', aliases: ['chromium', 'chrome', 'google chrome'], category: 'browser', packages: ['chromium'], command: 'chromium --no-sandbox', needsNetwork: true },
  { id: 'libreoffice', name: 'LibreOffice', aliases: ['libreoffice', 'office suite', 'office', 'word processor', 'spreadsheet'], category: 'office', packages: ['libreoffice'], command: 'libreoffice', needsNetwork: false },
  { id: 'gimp', name: 'GIMP', aliases: ['gimp', 'photo editor', 'image editor', 'photoshop'], category: 'graphics', packages: ['gimp'], command: 'gimp', needsNetwork: false },
  { id: 'inkscape', name: 'Inkscape', aliases: ['inkscape', 'vector editor', 'illustrator'], category: 'graphics', packages: ['inkscape'], command: 'inkscape', needsNetwork: false },
  { id: 'vlc', name: 'VLC', aliases: ['vlc', 'video player', 'media player'], category: 'media', packages: ['vlc'], command: 'vlc', needsNetwork: false },
  { id: 'mousepad', name: 'Mousepad', aliases: ['mousepad', 'text editor', 'notepad'], category: 'editor', packages: ['mousepad'], command: 'mousepad', needsNetwork: false },
  { id: 'geany', name: 'Geany', aliases: ['geany', 'code editor', 'ide'], category: 'development', packages: ['geany'], command: 'geany', needsNetwork: false },
  { id: 'thunar', name: 'Thunar', aliases: ['thunar', 'file manager', 'files'], category: 'utility', packages: ['thunar'], command: 'thunar', needsNetwork: false },
  { id: 'galculator', name: 'Galculator', aliases: ['galculator', 'calculator'], category: 'utility', packages: ['galculator'], command: 'galculator', needsNetwork: false },
  { id: 'x11-apps', name: 'X11 demo apps', aliases: ['xeyes', 'xclock', 'x11 apps'], category: 'utility', packages: ['x11-apps'], command: 'xclock', needsNetwork: false },
];

const byId = new Map(APP_CATALOG.map((a) => [a.id, a]));
export const findAppById = (id: string): CatalogApp | undefined => byId.get(id);

/** Debian packages an environment needs on top of the base image, sorted and unique. */
export function packagesForSpec(spec: { apps: string[]; packages: string[] }): string[] {
  const set = new Set<string>(spec.packages);
  for (const id of spec.apps) {
    const app = findAppById(id);
    if (!app) set.add(id); // catalog ids are package names
    else if (!app.preinstalled) app.packages.forEach((p) => set.add(p));
  }
  return [...set].sort();
}

/** Commands the desktop starts, in the order the user listed the apps. */
export const launchCommandsForSpec = (spec: { apps: string[] }): string[] =>
  spec.apps.map((id) => findAppById(id)?.command ?? id);
