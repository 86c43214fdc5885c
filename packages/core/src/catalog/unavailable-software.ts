/**
 * Well-known software people ask for that Debian 12 (bookworm) main does not
 * ship, with the reason and what to offer instead. Names are lowercase phrases
 * as a user would type them; alternatives are ids in APP_CATALOG_DATA.
 */
export interface UnavailableSoftware {
  names: string[];
  reason: string;
  alternatives: string[];
}

const PROPRIETARY = 'proprietary; not packaged in Debian';
const NO_LINUX = 'proprietary and has no Linux version';
const WEB_APP = 'proprietary web app with no Debian package; open it in a browser instead';

export const UNAVAILABLE_SOFTWARE: UnavailableSoftware[] = [
  // ── Office and productivity ─────────────────────────────────────────────────
  { names: ['microsoft office', 'ms office', 'office 365', 'microsoft 365', 'msoffice'], reason: NO_LINUX, alternatives: ['libreoffice', 'calligrawords'] },
  { names: ['microsoft word', 'ms word', 'msword'], reason: NO_LINUX, alternatives: ['libreoffice-writer', 'abiword'] },
  { names: ['excel', 'microsoft excel', 'ms excel'], reason: NO_LINUX, alternatives: ['libreoffice-calc', 'gnumeric'] },
  { names: ['powerpoint', 'microsoft powerpoint', 'ms powerpoint', 'power point'], reason: NO_LINUX, alternatives: ['libreoffice-impress'] },
  { names: ['outlook', 'microsoft outlook', 'ms outlook'], reason: NO_LINUX, alternatives: ['thunderbird', 'evolution'] },
  { names: ['onenote', 'microsoft onenote', 'one note'], reason: NO_LINUX, alternatives: ['cherrytree', 'xournalpp', 'zim'] },
  { names: ['microsoft access', 'ms access'], reason: NO_LINUX, alternatives: ['libreoffice-base', 'sqlitebrowser'] },
  { names: ['visio', 'microsoft visio', 'ms visio', 'draw.io', 'drawio', 'lucidchart'], reason: 'proprietary diagramming software; not packaged in Debian', alternatives: ['dia', 'libreoffice-draw'] },
  { names: ['microsoft project', 'ms project'], reason: NO_LINUX, alternatives: ['libreoffice-calc', 'freeplane'] },
  { names: ['microsoft publisher', 'ms publisher', 'adobe indesign', 'indesign', 'quarkxpress'], reason: PROPRIETARY, alternatives: ['scribus'] },
  { names: ['wps office', 'onlyoffice', 'only office', 'softmaker office', 'freeoffice'], reason: 'not packaged in Debian 12', alternatives: ['libreoffice'] },
  { names: ['adobe acrobat', 'acrobat reader', 'adobe reader', 'foxit reader', 'foxit'], reason: PROPRIETARY, alternatives: ['evince', 'okular', 'pdfarranger'] },
  { names: ['notion', 'notion app', 'evernote', 'obsidian', 'obsidian md', 'logseq', 'joplin'], reason: 'not packaged in Debian 12', alternatives: ['zim', 'cherrytree', 'ghostwriter'] },
  { names: ['quickbooks', 'quicken', 'moneydance'], reason: PROPRIETARY, alternatives: ['gnucash', 'homebank', 'kmymoney'] },

  // ── Graphics, video and audio ───────────────────────────────────────────────
  { names: ['photoshop', 'adobe photoshop', 'affinity photo', 'paint.net', 'pinta', 'photopea'], reason: 'not packaged in Debian 12 (proprietary or Windows-only)', alternatives: ['gimp', 'krita'] },
  { names: ['lightroom', 'adobe lightroom', 'capture one'], reason: PROPRIETARY, alternatives: ['darktable', 'rawtherapee', 'digikam'] },
  { names: ['adobe illustrator', 'illustrator cc', 'coreldraw', 'corel draw', 'affinity designer'], reason: PROPRIETARY, alternatives: ['inkscape'] },
  { names: ['figma', 'adobe xd', 'canva', 'sketch app'], reason: WEB_APP, alternatives: ['inkscape', 'firefox-esr'] },
  { names: ['ms paint', 'microsoft paint', 'mspaint'], reason: 'Windows-only', alternatives: ['kolourpaint', 'mypaint', 'gimp'] },
  { names: ['adobe premiere', 'premiere pro', 'final cut', 'final cut pro', 'davinci resolve', 'imovie', 'windows movie maker', 'vegas pro', 'sony vegas', 'camtasia', 'avidemux', 'lightworks'], reason: 'not packaged in Debian 12 (proprietary or not in main)', alternatives: ['kdenlive', 'shotcut', 'openshot-qt'] },
  { names: ['after effects', 'adobe after effects', 'natron'], reason: 'not packaged in Debian 12', alternatives: ['blender', 'synfigstudio'] },
  { names: ['maya', 'autodesk maya', '3ds max', '3dsmax', 'cinema 4d', 'c4d', 'zbrush', 'houdini'], reason: PROPRIETARY, alternatives: ['blender'] },
  { names: ['autocad', 'auto cad', 'solidworks', 'fusion 360', 'fusion360', 'sketchup', 'catia', 'autodesk inventor', 'revit'], reason: PROPRIETARY, alternatives: ['freecad', 'librecad', 'sweethome3d'] },
  { names: ['bandicam', 'snagit', 'sharex', 'greenshot'], reason: 'Windows-only', alternatives: ['obs-studio', 'flameshot'] },
  { names: ['adobe audition', 'tenacity', 'ocenaudio'], reason: 'not packaged in Debian 12', alternatives: ['audacity'] },
  { names: ['fl studio', 'fruity loops', 'ableton', 'ableton live', 'logic pro', 'garageband', 'pro tools', 'cubase', 'reaper daw', 'bitwig', 'bitwig studio'], reason: PROPRIETARY, alternatives: ['lmms', 'ardour', 'qtractor'] },
  { names: ['sibelius', 'finale notation', 'makemusic finale', 'guitar pro'], reason: PROPRIETARY, alternatives: ['musescore3', 'tuxguitar'] },
  { names: ['spotify', 'itunes', 'apple music', 'tidal music', 'deezer'], reason: 'proprietary streaming client; not packaged in Debian', alternatives: ['rhythmbox', 'clementine', 'strawberry'] },
  { names: ['winamp', 'foobar2000', 'foobar', 'amarok', 'exaile'], reason: 'not packaged in Debian 12', alternatives: ['audacious', 'clementine', 'strawberry'] },
  { names: ['windows media player', 'media player classic', 'potplayer', 'kmplayer', 'quicktime', 'quicktime player'], reason: 'Windows-only', alternatives: ['vlc', 'mpv', 'smplayer'] },
  { names: ['plex', 'plex media server', 'jellyfin', 'emby'], reason: 'not packaged in Debian 12', alternatives: ['kodi'] },
  { names: ['nero', 'nero burning rom', 'imgburn'], reason: 'Windows-only', alternatives: ['brasero', 'k3b'] },

  // ── Development ─────────────────────────────────────────────────────────────
  { names: ['visual studio code', 'vscode', 'vs code', 'vscodium', 'codium', 'code-oss', 'code oss', 'cursor editor'], reason: 'not packaged in Debian 12 (Microsoft builds it outside Debian)', alternatives: ['geany', 'kate', 'gnome-builder', 'emacs', 'vim-gtk3'] },
  { names: ['visual studio', 'microsoft visual studio'], reason: NO_LINUX, alternatives: ['qtcreator', 'kdevelop', 'codeblocks'] },
  { names: ['sublime text', 'sublime text 3', 'sublimetext', 'atom editor', 'github atom', 'notepad++', 'notepad plus plus', 'adobe brackets'], reason: 'not packaged in Debian 12', alternatives: ['geany', 'kate', 'mousepad'] },
  { names: ['intellij', 'intellij idea', 'jetbrains', 'webstorm', 'clion', 'goland', 'jetbrains rider', 'phpstorm', 'rubymine'], reason: 'JetBrains IDEs are not packaged in Debian', alternatives: ['kdevelop', 'geany', 'qtcreator'] },
  { names: ['pycharm', 'pycharm community'], reason: 'JetBrains IDEs are not packaged in Debian', alternatives: ['spyder', 'thonny', 'geany'] },
  { names: ['eclipse', 'eclipse ide', 'netbeans', 'apache netbeans'], reason: 'no longer packaged in Debian 12', alternatives: ['geany', 'codeblocks', 'kdevelop'] },
  { names: ['android studio'], reason: 'Google distributes it outside Debian', alternatives: ['kdevelop', 'geany'] },
  { names: ['xcode', 'swift playgrounds'], reason: 'macOS-only', alternatives: ['qtcreator', 'gnome-builder'] },
  { names: ['rstudio', 'r studio', 'posit rstudio'], reason: 'not packaged in Debian', alternatives: ['r-base', 'jupyter-notebook'] },
  { names: ['dbeaver', 'pgadmin', 'pgadmin4', 'mysql workbench', 'datagrip', 'heidisql', 'tableplus'], reason: 'not packaged in Debian 12', alternatives: ['sqlitebrowser', 'postgresql-client', 'mariadb-client'] },
  { names: ['postman', 'insomnia'], reason: 'not packaged in Debian', alternatives: ['httpie', 'curl'] },
  { names: ['docker desktop', 'rancher desktop'], reason: 'not packaged in Debian; the Docker engine is', alternatives: ['docker.io', 'podman'] },
  { names: ['terraform', 'hashicorp packer'], reason: 'not packaged in Debian (BSL licence)', alternatives: ['ansible', 'vagrant'] },
  { names: ['unity3d', 'unity engine', 'unity editor', 'unity hub', 'unreal engine', 'gamemaker'], reason: PROPRIETARY, alternatives: ['godot3', 'blender'] },
  { names: ['julia', 'julia lang', 'julia language'], reason: 'no longer packaged in Debian 12', alternatives: ['python3', 'octave', 'r-base'] },
  { names: ['jupyterlab', 'jupyter lab'], reason: 'not packaged in Debian 12', alternatives: ['jupyter-notebook', 'spyder'] },

  // ── Science and education ───────────────────────────────────────────────────
  { names: ['matlab', 'simulink'], reason: PROPRIETARY, alternatives: ['octave', 'scilab'] },
  { names: ['mathematica', 'wolfram mathematica', 'maple software', 'maplesoft', 'mathcad'], reason: PROPRIETARY, alternatives: ['wxmaxima', 'octave'] },
  { names: ['spss', 'ibm spss', 'stata', 'sas software', 'eviews', 'minitab'], reason: PROPRIETARY, alternatives: ['pspp', 'gretl', 'r-base'] },
  { names: ['tableau', 'power bi', 'powerbi', 'originlab', 'origin pro'], reason: PROPRIETARY, alternatives: ['labplot', 'libreoffice-calc', 'jupyter-notebook'] },
  { names: ['arcgis', 'arcmap', 'google earth', 'google earth pro'], reason: PROPRIETARY, alternatives: ['qgis', 'marble'] },
  { names: ['labview', 'multisim', 'altium', 'altium designer', 'autodesk eagle', 'eagle cad'], reason: PROPRIETARY, alternatives: ['kicad', 'ngspice', 'logisim'] },
  { names: ['celestia'], reason: 'no longer packaged in Debian 12', alternatives: ['stellarium', 'kstars'] },
  { names: ['anki', 'ankiweb'], reason: 'no longer packaged in Debian 12', alternatives: ['mnemosyne'] },
  { names: ['duolingo', 'rosetta stone'], reason: WEB_APP, alternatives: ['parley'] },

  // ── Internet, communication and security ────────────────────────────────────
  { names: ['microsoft edge', 'ms edge', 'edge browser', 'internet explorer', 'ie11', 'safari', 'apple safari'], reason: 'not available for Debian (proprietary or macOS/Windows-only)', alternatives: ['firefox-esr', 'chromium', 'epiphany-browser'] },
  { names: ['opera browser', 'opera gx', 'brave browser', 'vivaldi', 'vivaldi browser', 'yandex browser', 'midori'], reason: 'not packaged in Debian 12', alternatives: ['chromium', 'firefox-esr', 'falkon'] },
  { names: ['slack', 'slack desktop'], reason: PROPRIETARY, alternatives: ['pidgin', 'hexchat', 'nheko'] },
  { names: ['discord'], reason: PROPRIETARY, alternatives: ['mumble', 'nheko', 'pidgin'] },
  { names: ['zoom', 'zoom meetings', 'zoom client'], reason: PROPRIETARY, alternatives: ['jami', 'linphone-desktop'] },
  { names: ['microsoft teams', 'ms teams', 'webex', 'cisco webex', 'gotomeeting', 'google meet'], reason: PROPRIETARY, alternatives: ['jami', 'linphone-desktop', 'chromium'] },
  { names: ['skype', 'viber'], reason: PROPRIETARY, alternatives: ['jami', 'linphone-desktop'] },
  { names: ['whatsapp', 'whatsapp desktop', 'signal desktop', 'signal messenger', 'wire messenger', 'threema'], reason: 'not packaged in Debian 12', alternatives: ['telegram-desktop', 'qtox', 'nheko'] },
  { names: ['element desktop', 'element matrix', 'element-desktop', 'riot im', 'fractal matrix'], reason: 'not packaged in Debian 12', alternatives: ['nheko', 'neochat'] },
  { names: ['teamspeak', 'ventrilo'], reason: PROPRIETARY, alternatives: ['mumble'] },
  { names: ['teamviewer', 'anydesk', 'rustdesk', 'chrome remote desktop', 'parsec gaming'], reason: 'not packaged in Debian', alternatives: ['remmina', 'x2goclient', 'tigervnc-viewer'] },
  { names: ['winscp', 'cyberduck'], reason: 'not available for Debian (Windows/macOS-only)', alternatives: ['filezilla'] },
  { names: ['mobaxterm', 'securecrt', 'termius'], reason: PROPRIETARY, alternatives: ['putty', 'openssh-client'] },
  { names: ['utorrent', 'bittorrent classic', 'vuze', 'frostwire'], reason: 'not packaged in Debian', alternatives: ['transmission-gtk', 'qbittorrent'] },
  { names: ['internet download manager', 'idm', 'jdownloader', 'free download manager'], reason: 'not packaged in Debian', alternatives: ['uget', 'aria2'] },
  { names: ['dropbox', 'google drive', 'icloud', 'megasync', 'mega sync', 'box drive'], reason: 'proprietary sync client; not packaged in Debian main', alternatives: ['nextcloud-desktop', 'rclone', 'syncthing', 'onedrive'] },
  { names: ['1password', 'lastpass', 'bitwarden', 'dashlane', 'nordpass', 'enpass'], reason: 'not packaged in Debian 12', alternatives: ['keepassxc', 'keepass2'] },
  { names: ['veracrypt', 'truecrypt', 'bitlocker', 'zulucrypt'], reason: 'not packaged in Debian 12 main', alternatives: ['gnupg', 'kleopatra'] },
  { names: ['nordvpn', 'expressvpn', 'protonvpn', 'surfshark', 'mullvad', 'mullvad vpn'], reason: 'proprietary VPN client; not packaged in Debian', alternatives: ['openvpn', 'wireguard-tools'] },
  { names: ['norton', 'norton antivirus', 'mcafee', 'avast', 'avg antivirus', 'kaspersky', 'bitdefender', 'malwarebytes'], reason: PROPRIETARY, alternatives: ['clamtk', 'clamav'] },
  { names: ['metasploit', 'metasploit framework', 'burp suite', 'burpsuite', 'owasp zap', 'zaproxy', 'nessus', 'nikto', 'zenmap', 'angry ip scanner'], reason: 'not packaged in Debian 12 main', alternatives: ['nmap', 'sqlmap', 'hydra'] },

  // ── System, utilities and games ─────────────────────────────────────────────
  { names: ['virtualbox', 'vbox', 'vmware', 'vmware workstation', 'vmware player', 'parallels desktop', 'hyper-v'], reason: 'not in Debian 12 main (VirtualBox is in contrib/fasttrack, VMware is proprietary)', alternatives: ['virt-manager', 'gnome-boxes', 'qemu-system-x86'] },
  { names: ['winrar', 'winzip', 'rar', 'unrar'], reason: 'proprietary or in Debian non-free only', alternatives: ['file-roller', 'p7zip-full', 'xarchiver'] },
  { names: ['total commander'], reason: 'Windows-only', alternatives: ['doublecmd-gtk', 'krusader'] },
  { names: ['ccleaner', 'stacer'], reason: 'not packaged in Debian 12', alternatives: ['bleachbit'] },
  { names: ['windows explorer', 'macos finder', 'mac finder'], reason: 'part of Windows/macOS', alternatives: ['thunar', 'nautilus', 'dolphin'] },
  { names: ['steam', 'steam client', 'epic games', 'epic games launcher', 'gog galaxy', 'lutris', 'heroic games launcher'], reason: 'not in Debian 12 main (Steam is in non-free and needs 32-bit libraries)', alternatives: ['supertuxkart', '0ad', 'retroarch'] },
  { names: ['minecraft', 'minecraft java edition'], reason: PROPRIETARY, alternatives: ['minetest'] },
  { names: ['civilization 6', 'civilization vi', 'sid meier civilization', "sid meier's civilization", 'age of empires', 'starcraft'], reason: PROPRIETARY, alternatives: ['freeciv-client-gtk3', '0ad', 'wesnoth'] },
  { names: ['microsoft flight simulator', 'x-plane', 'xplane'], reason: PROPRIETARY, alternatives: ['flightgear'] },
  { names: ['pcsx2', 'ppsspp', 'rpcs3', 'ryujinx', 'citra', 'cemu', 'duckstation'], reason: 'not packaged in Debian 12 main', alternatives: ['retroarch', 'dolphin-emu', 'mupen64plus-qt'] },
];
