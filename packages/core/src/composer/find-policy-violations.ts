import type { ComposeProblem } from './compose-result';

/**
 * Asks the sandbox never grants. The spec has no field for any of them, so a
 * sentence cannot produce one; the composer still answers with a clear
 * refusal instead of quietly dropping the ask.
 */
const RULES: { re: RegExp; message: string }[] = [
  { re: /(?<!un|non-|non |not )\bprivileged\b|--privileged|privileged\s*[:=]\s*["']?true|\bsecurityContext\b/i, message: 'privileged mode is never granted: environments run unprivileged' },
  { re: /docker\.sock|docker\s+socket|\/var\/run\/docker|docker\s+daemon\s+(?:of|on)\s+the\s+host|containerd\.sock/i, message: "the Docker socket is never mounted: it would give the environment control of the host" },
  { re: /\bmount(?:ing|ed)?\s+(?:the\s+|my\s+)?host\b|\b(?:the\s+host(?:'s)?|host's)\s+(?:file\s*system|filesystem|root|disk|drives?|directory|directories|folders?|files|\/)|\bhost\s+(?:file\s*system|filesystem)\b|\bfiles?\s+(?:on|from)\s+the\s+host\b|\bbind[- ]?mounts?\b|(?:^|\s)-v\s+\/|\bvolumes?\s*:\s*\[?\s*-?\s*["']?\/|\bmount\s+\/(?:etc|root|home|var|proc|sys|dev|boot|usr)?\b|\bhostpath\b|\bmount\w*\s+(?:my\s+|the\s+|our\s+)?(?:\w+'s\s+)?(?:root\s+)?(?:file\s*system|filesystem|partition)\b|\broot\s+file\s*system\b|\bat\s+\/host\b|\bmount(?:ing|ed)?\s+(?:my\s+|the\s+|a\s+|our\s+)?(?:local\s+|host\s+|shared\s+)?(?:[a-z]:\\|~\/|\/|folders?\b|director(?:y|ies)\b|drives?\b|documents\b|home\b|disks?\b|usb\b|network\s+shares?\b|nfs\b|smb\b)/i, message: 'host folders are never mounted: an environment sees only its own files' },
  { re: /\bnetwork(?:ing)?\s+(?:mode\s+)?(?:to|=|:|as)\s+["']?(?:the\s+)?host\b|\b(?:use|share|join|on)\s+the\s+host(?:'s)?\s+network|\bhost\s+network(?:ing)?\b|--net(?:work)?[= ]host\b|\bnet(?:work)?(?:_mode)?\s*[:=]\s*["']?host\b|\bhostnetwork\b|\bhost\s+networking\b/i, message: "the host's network is never shared: environments get no network or an isolated one" },
  { re: /--pid[= ]host|\bpid\s*[:=]\s*["']?host\b|\bhost(?:'s)?\s+(?:pid|process)\s+namespace|\bhostpid\b|--ipc[= ]host|\bipc\s*[:=]\s*["']?host\b|\bhostipc\b|--userns[= ]host/i, message: "the host's process namespaces are never shared" },
  { re: /--cap-add|\bcap[_-]?add\b|\bcap_[a-z_]+\b|\b(?:sys|net)_(?:admin|raw|ptrace|module)\b|\b(?:add|grant|give|with|enable|extra|all|more|elevated)\s+(?:the\s+|linux\s+|kernel\s+)*capabilit/i, message: 'Linux capabilities are never added: environments run with all capabilities dropped' },
  { re: /\b(?:disable|disabled|without|no|turn\s+off|bypass|skip)\s+(?:the\s+)?(?:seccomp|apparmor|selinux|sandbox(?:ing)?)\b|\b(?:seccomp|apparmor|selinux)\s*[:=]?\s*["']?unconfined|security[-_]opt/i, message: 'seccomp and AppArmor confinement cannot be switched off' },
  { re: /\broot\s+(?:access\s+|shell\s+|privileges?\s+)?(?:on|to|of)\s+the\s+(?:host|server|machine)\b|\bhost\s+root\b|\bescape\s+(?:the\s+|this\s+)?(?:container|sandbox|vm|jail)|\bbreak\s+out\s+of\b|\bcontainer\s+escape\b|\baccess\s+(?:to\s+)?the\s+host\b|\bhost\s+access\b/i, message: 'nothing reaches the host: environments are isolated from it' },
  { re: /\b(?:as|run\s+as|with|give\s+me|get|need)\s+(?:the\s+)?root(?:\s+(?:user|access|privileges?|rights|shell))?\b|\bsudo\b|\buid\s*[:=]\s*0\b|--user[= ](?:root|0)\b/i, message: 'environments run as an unprivileged user; root and sudo are not offered' },
  { re: /--device\b|\/dev\/(?:kvm|mem|kmem|sd[a-z]|nvme|port)\b/i, message: 'host devices and kernel modules are never exposed' },
  {
    re: /\b(?:pass(?:ed|ing|es)?|forward(?:ed|ing)?)\s+(?:through|thru)\s+(?:my\s+|the\s+|a\s+|an\s+|our\s+)?(?:[\w-]+\s+){0,2}?(?:usb|stick|thumb\s*drive|flash\s*drive|webcam|camera|microphone|mic|yubikey|smart\s*card|card\s+reader|dongle|phone|printer|scanner|drive|device)s?\b|\b(?:usb|stick|thumb\s*drive|flash\s*drive|webcam|camera|microphone|yubikey|smart\s*card|card\s+reader|dongle|phone|printer|scanner|drive|device)s?\s+(?:\w+\s+){0,3}?(?:passed\s+)?(?:through|thru)\b|\b(?:usb|device|pci|hardware)[- ]?pass[- ]?through\b|\b(?:attach|plug|connect|forward|expose|hook\s+up)\w*\s+(?:in\s+)?(?:my\s+|the\s+|a\s+|an\s+|our\s+)?(?:[\w-]+\s+){0,2}?(?:usb\s+(?:stick|drive|key|device)s?|usb|thumb\s*drives?|flash\s*drives?|webcams?|yubikeys?|smart\s*cards?|card\s+readers?|dongles?|phones?|external\s+(?:hard\s+)?drives?|hard\s+drives?|(?:drawing\s+|graphics\s+|pen\s+)?tablets?|gamepads?|game\s+controllers?|controllers?|joysticks?|headsets?|midi\s+(?:keyboard|controller)s?|audio\s+interfaces?|serial\s+(?:port|device|cable)s?)\b|\b(?:usb\s+(?:stick|key|drive|device)|thumb\s*drive|flash\s*drive|webcam|yubikey|smart\s*card|external\s+(?:hard\s+)?drive)s?\s+(?:\w+\s+){0,2}?(?:attached|connected|plugged|mounted|passed)\b/i,
    message: 'host devices (USB sticks, webcams, drives, phones) are never passed through: an environment only has its own virtual devices',
  },
  {
    re: /\b(?:my\s+)?(?:home\s+(?:folder|directory|dir)|files|folders?|documents|downloads|desktop\s+folder|drive|disk|photos)\s+(?:from|on)\s+(?:my|this|the|our)\s+(?:laptop|computer|pc|machine|mac|host|workstation|notebook)\b|\bshare\s+(?:my|our|the)\s+(?:\w+\s+)?(?:folders?|director(?:y|ies)|files|drive|disk)\s+with\s+(?:the\s+|this\s+|my\s+|a\s+)?(?:desktop|vm|virtual\s+machine|container|environment|sandbox|it)\b|\b(?:access|reach)\s+(?:to\s+)?(?:my\s+|the\s+)?(?:local|host|laptop'?s?)\s+(?:files|folders?|disk|drive|file\s*system)\b|\bmount\s+my\s+folder\b/i,
    message: 'host folders are never mounted: an environment sees only its own files',
  },
  { re: /\b(?:ignore|bypass|disable|lift|remove|without)\s+(?:the\s+|all\s+|any\s+|my\s+)*(?:quotas?|limits?|resource\s+limits?)\b|\bunlimited\s+(?:cpu|memory|ram|resources|pids|processes)\b/i, message: 'quotas and resource limits always apply' },
  { re: /["']?\b(?:mounts|volumes|binds|devices|cap_?add|capabilities|security_?opt|host_?network|host_?pid|host_?ipc|network_?mode|pid_?mode|userns_?mode)\b["']?\s*[:=]|:\/host\b/i, message: 'sandbox settings (mounts, devices, capabilities, host namespaces) cannot be set from a request' },
];

/**
 * Dangerous only because a container shares the host's kernel: harmless in a
 * virtual machine, which has a kernel of its own.
 */
const KERNEL_ONLY: { re: RegExp; message: string; allowed: string } = {
  re: /\b(?:insmod|modprobe|rmmod)\b|\bkernel\s+(?:modules?|drivers?|extensions?)\b|\b(?:load|build|compile|install)\w*\s+(?:a\s+|my\s+|the\s+|own\s+|custom\s+)*(?:kernel\s+)?(?:modules?|drivers?)\s+into\s+the\s+kernel\b|\bsysctl\b/i,
  message: 'kernel modules cannot be loaded in a container: it shares the host kernel (ask for a virtual machine, which has its own)',
  allowed: 'Kernel modules can be loaded: a virtual machine has a kernel of its own, so this does not reach the host.',
};

/**
 * Asks the sandbox refuses. `runtime: 'vm'` (the spec's runtime is a virtual
 * machine) allows what is only dangerous next to a shared kernel, with the
 * reason in `allowed` for the assumptions.
 */
export function findPolicyViolations(text: string, opts: { runtime?: 'vm' | 'container' } = {}): ComposeProblem[] & { allowed?: string[] } {
  const seen = new Set<string>();
  const problems: ComposeProblem[] & { allowed?: string[] } = [];
  for (const { re, message } of RULES) {
    if (re.test(text) && !seen.has(message)) {
      seen.add(message);
      problems.push({ field: 'request', message, kind: 'policy' });
    }
  }
  if (KERNEL_ONLY.re.test(text)) {
    if (opts.runtime === 'vm') problems.allowed = [KERNEL_ONLY.allowed];
    else problems.push({ field: 'request', message: KERNEL_ONLY.message, kind: 'policy' });
  }
  return problems;
}

/** Text shaped like instructions to the system rather than a request; ignored, and said so. */
export const INJECTION = /\bignore\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|your)\s+(?:instructions|rules|prompts?)|^\s*(?:system|assistant|developer)\s*:|<\/?\s*(?:system|request|spec|instructions?)\b|\byou\s+are\s+now\b|\badmin\s+mode\b|\bjailbreak\b|\bdeveloper\s+mode\b/im;
