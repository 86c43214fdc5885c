/**
 * Operating systems people ask for, and why this deployment can or cannot
 * build each one. Whether a release is buildable comes from the deployment's
 * capabilities; `whyNot` explains the refusal in the user's terms.
 */
export interface OsRelease {
  version: string;
  /** Lowercase names for this release alone: codenames, "22.04", "xp". */
  aliases: string[];
}

export interface OsEntry {
  /** The spec's `os.distro` (or a family name for non-Linux systems). */
  distro: string;
  family: 'linux' | 'windows' | 'macos' | 'bsd';
  name: string;
  /** Lowercase names that mean this OS; matched as whole words. */
  aliases: string[];
  releases: OsRelease[];
  /** Release chosen when the user names none. */
  defaultRelease: string;
  /** Why no release of it can be built here (absent for Debian). */
  whyNot?: string;
}

const NO_ARCHIVE = "this deployment builds images from Debian's package archive only; this distribution's archive is not reachable from here";

export const OS_CATALOG: readonly OsEntry[] = [
  {
    distro: 'debian', family: 'linux', name: 'Debian', aliases: ['debian', 'debian gnu/linux'], defaultRelease: '12',
    releases: [
      { version: '12', aliases: ['bookworm'] },
      { version: '11', aliases: ['bullseye'] },
      { version: '13', aliases: ['trixie'] },
      { version: '10', aliases: ['buster'] },
      { version: 'sid', aliases: ['sid', 'unstable'] },
    ],
  },
  { distro: 'ubuntu', family: 'linux', name: 'Ubuntu', aliases: ['ubuntu', 'kubuntu', 'xubuntu', 'lubuntu'], defaultRelease: '24.04', whyNot: NO_ARCHIVE,
    releases: [{ version: '24.04', aliases: ['noble'] }, { version: '22.04', aliases: ['jammy'] }, { version: '20.04', aliases: ['focal'] }, { version: '18.04', aliases: ['bionic'] }] },
  { distro: 'fedora', family: 'linux', name: 'Fedora', aliases: ['fedora'], defaultRelease: '41', whyNot: NO_ARCHIVE, releases: [] },
  { distro: 'arch', family: 'linux', name: 'Arch Linux', aliases: ['arch linux', 'arch', 'archlinux', 'manjaro'], defaultRelease: 'rolling', whyNot: NO_ARCHIVE, releases: [] },
  { distro: 'kali', family: 'linux', name: 'Kali Linux', aliases: ['kali', 'kali linux'], defaultRelease: 'rolling', whyNot: NO_ARCHIVE, releases: [] },
  { distro: 'alpine', family: 'linux', name: 'Alpine Linux', aliases: ['alpine', 'alpine linux'], defaultRelease: '3', whyNot: NO_ARCHIVE, releases: [] },
  { distro: 'centos', family: 'linux', name: 'CentOS', aliases: ['centos', 'centos stream'], defaultRelease: '9', whyNot: NO_ARCHIVE, releases: [] },
  { distro: 'rocky', family: 'linux', name: 'Rocky Linux', aliases: ['rocky', 'rocky linux', 'almalinux', 'alma linux', 'rhel', 'red hat', 'red hat enterprise linux'], defaultRelease: '9', whyNot: NO_ARCHIVE, releases: [] },
  { distro: 'opensuse', family: 'linux', name: 'openSUSE', aliases: ['opensuse', 'suse', 'sles'], defaultRelease: '15', whyNot: NO_ARCHIVE, releases: [] },
  { distro: 'mint', family: 'linux', name: 'Linux Mint', aliases: ['linux mint', 'mint linux'], defaultRelease: '22', whyNot: NO_ARCHIVE, releases: [] },
  { distro: 'gentoo', family: 'linux', name: 'Gentoo', aliases: ['gentoo', 'nixos', 'void linux', 'slackware'], defaultRelease: 'rolling', whyNot: NO_ARCHIVE, releases: [] },
  {
    distro: 'windows', family: 'windows', name: 'Windows', aliases: ['windows', 'win10', 'win11', 'microsoft windows', 'windows server'], defaultRelease: '11',
    whyNot: 'Windows needs licensed installation media and activation, which this deployment does not hold',
    releases: [{ version: '11', aliases: ['win11'] }, { version: '10', aliases: ['win10'] }, { version: '7', aliases: [] }, { version: 'xp', aliases: ['xp'] }, { version: '2022', aliases: [] }, { version: '2019', aliases: [] }],
  },
  { distro: 'macos', family: 'macos', name: 'macOS', aliases: ['macos', 'mac os', 'mac osx', 'osx', 'os x', 'a mac', 'sonoma', 'ventura', 'sequoia', 'monterey'], defaultRelease: '15',
    whyNot: "Apple's licence allows macOS only on Apple hardware", releases: [] },
  { distro: 'freebsd', family: 'bsd', name: 'FreeBSD', aliases: ['freebsd', 'openbsd', 'netbsd'], defaultRelease: '14', whyNot: 'only Linux desktops are built here', releases: [] },
];

export const findOs = (distro: string): OsEntry | undefined => OS_CATALOG.find((o) => o.distro === distro);
