/** Desktop sessions, by the spec's `desktop` id. Which ones a deployment offers is a capability. */
export interface DesktopEntry {
  id: string;
  name: string;
  aliases: string[];
  /** Debian packages that provide the session (beyond the base image's openbox). */
  packages: string[];
  whyNot?: string;
}

const FULL_SESSION = 'it needs a full systemd user session, which GenOS desktops do not run';

export const DESKTOP_CATALOG: readonly DesktopEntry[] = [
  { id: 'openbox', name: 'Openbox', aliases: ['openbox', 'minimal desktop', 'window manager'], packages: [] },
  { id: 'xfce', name: 'Xfce', aliases: ['xfce', 'xfce4'], packages: ['xfce4'] },
  { id: 'lxqt', name: 'LXQt', aliases: ['lxqt', 'lxde'], packages: ['lxqt'] },
  { id: 'mate', name: 'MATE', aliases: ['mate desktop', 'mate'], packages: ['mate-desktop-environment-core'] },
  { id: 'gnome', name: 'GNOME', aliases: ['gnome', 'gnome shell'], packages: [], whyNot: FULL_SESSION },
  { id: 'kde', name: 'KDE Plasma', aliases: ['kde', 'plasma', 'kde plasma'], packages: [], whyNot: FULL_SESSION },
  { id: 'cinnamon', name: 'Cinnamon', aliases: ['cinnamon'], packages: [], whyNot: FULL_SESSION },
];

export const findDesktop = (id: string): DesktopEntry | undefined => DESKTOP_CATALOG.find((d) => d.id === id);
