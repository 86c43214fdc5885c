#!/usr/bin/env bash
# Prepares a Debian 12 host (as root) for GenOS: Debian packages, guacd from
# Debian 11, a running dockerd and a running guacd on 127.0.0.1:4822.
# Idempotent: when everything is in place it only checks and exits in seconds.
# Used by `npm run up` and by CI before tests.
set -euo pipefail

log() { echo "[setup] $*"; }
die() { echo "[setup] ERROR: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root"

export DEBIAN_FRONTEND=noninteractive
LOG_DIR=/var/log/genos
GUACD_USER=genos-guacd
GUACD_HOST=127.0.0.1
GUACD_PORT=4822
BULLSEYE_LIST=/etc/apt/sources.list.d/genos-bullseye.list
BULLSEYE_PIN=/etc/apt/preferences.d/genos-bullseye

# Host packages from bookworm. procps/passwd/util-linux give pgrep, useradd, setpriv.
# runsc (gVisor, bookworm main) is the hardened profile's runtime.
# bubblewrap and socat: guacd's sandbox and its socket relay (start-guacd.sh).
# restic and postgresql-client (psql): backups (apps/worker/src/backup).
# gocryptfs (FUSE; /dev/fuse): home volumes encrypted at rest (apps/worker/src/security/encrypted-home.ts).
# prometheus (with promtool): the alert rules' checks and the scrape test (deploy/prometheus); never started as a service here.
# caddy: the HTTPS front door when GENOS_PUBLIC_URL is set (run-stack.sh); libnss3-tools (certutil): the
# e2e browser trusts Caddy's local CA through its own NSS database, as a user's browser would.
# docker-compose (1.29): deploy/compose's test starts the compose stack (apps/worker/src/deploy-compose.integration.test.ts).
HOST_PKGS=(docker.io debootstrap chromium ca-certificates iproute2 iptables gocryptfs
  procps passwd util-linux tar runsc bubblewrap socat restic postgresql-client
  prometheus caddy libnss3-tools docker-compose)
# guacd is not in Debian 12; these come from Debian 11 (see platform facts).
GUACD_PKGS=(guacd libguac19 libguac-client-vnc0 libguac-client-rdp0 libssl1.1 libwebp6)

mkdir -p "$LOG_DIR" /var/lib/genos/build

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Package installs must not start services (no systemd here; we start the
# daemons ourselves below). Use a temporary policy-rc.d unless one exists.
POLICY_RC=/usr/sbin/policy-rc.d
OWN_POLICY_RC=0
block_service_starts() {
  if [[ ! -e $POLICY_RC ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY_RC" && chmod +x "$POLICY_RC"
    OWN_POLICY_RC=1
  fi
}
cleanup() { if [[ $OWN_POLICY_RC -eq 1 ]]; then rm -f "$POLICY_RC"; fi; }
trap cleanup EXIT

APT_UPDATED=0
apt_update_once() {
  if [[ $APT_UPDATED -eq 0 ]]; then
    log "apt-get update"
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
}
apt_install() {
  block_service_starts
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- packages: bookworm ones, then guacd from Debian 11 -----------------------
missing_host=() missing_guacd=()
for p in "${HOST_PKGS[@]}"; do installed "$p" || missing_host+=("$p"); done
for p in "${GUACD_PKGS[@]}"; do installed "$p" || missing_guacd+=("$p"); done
if ((${#missing_guacd[@]})); then
  # Low pin: bullseye is only used for packages named explicitly (pkg/bullseye)
  # or that exist nowhere else; nothing on the host gets "upgraded" to it.
  # Added before the single apt-get update below.
  if [[ ! -f $BULLSEYE_LIST ]]; then
    log "adding Debian 11 (bullseye) suite with pin priority 100"
    echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bullseye main' >"$BULLSEYE_LIST"
  fi
  [[ -f $BULLSEYE_PIN ]] || printf 'Package: *\nPin: release n=bullseye\nPin-Priority: 100\n' >"$BULLSEYE_PIN"
fi
if ((${#missing_host[@]})); then
  apt_update_once
  log "installing ${missing_host[*]}"
  apt_install "${missing_host[@]}"
else
  log "host packages present"
fi
if ((${#missing_guacd[@]})); then
  apt_update_once
  log "installing guacd 1.3 from bullseye: ${missing_guacd[*]}"
  apt_install "${GUACD_PKGS[@]/%//bullseye}"
else
  log "guacd packages present"
fi
guacd -v >/dev/null 2>&1 || die "guacd is installed but 'guacd -v' fails"

# --- gVisor runtime for hardened containers ------------------------------------
# Registered as "runsc-genos": --network=none (hardened desktops are air-gapped)
# and --host-uds=create so x11vnc's unix socket in the bind-mounted display
# folder appears on the host. `runtimes` is reloadable: a running dockerd picks
# it up on SIGHUP, no restart. An existing daemon.json is never rewritten.
DAEMON_JSON=/etc/docker/daemon.json
RUNSC_RUNTIME=runsc-genos
RUNTIME_ADDED=0
mkdir -p /etc/docker
if [[ ! -e $DAEMON_JSON ]]; then
  log "registering gVisor runtime $RUNSC_RUNTIME in $DAEMON_JSON"
  cat >"$DAEMON_JSON" <<JSON
{
  "runtimes": {
    "$RUNSC_RUNTIME": { "path": "$(command -v runsc)", "runtimeArgs": ["--network=none", "--host-uds=create"] }
  }
}
JSON
  RUNTIME_ADDED=1
elif ! grep -q "\"$RUNSC_RUNTIME\"" "$DAEMON_JSON"; then
  log "WARNING: $DAEMON_JSON exists without the $RUNSC_RUNTIME runtime: hardened containers will not start (add it by hand)"
fi

# --- dockerd --------------------------------------------------------------------
# /usr/local/bin/docker may be newer than the docker.io daemon; it negotiates the
# API version down. If it can't talk to the daemon, fall back to Debian's client.
docker_ok() { "$DOCKER" info >/dev/null 2>&1; }
DOCKER=$(command -v docker || echo /usr/bin/docker)
if ! docker_ok; then
  if ! pgrep -x dockerd >/dev/null; then
    log "starting dockerd (log: $LOG_DIR/dockerd.log)"
    setsid nohup dockerd >>"$LOG_DIR/dockerd.log" 2>&1 </dev/null &
  fi
  for _ in $(seq 1 120); do
    docker_ok && break
    # A dockerd that answers to Debian's client but not to $DOCKER: switch.
    if [[ $DOCKER != /usr/bin/docker ]] && /usr/bin/docker info >/dev/null 2>&1; then
      DOCKER=/usr/bin/docker
      log "using /usr/bin/docker ($(command -v docker) cannot talk to dockerd)"
      break
    fi
    sleep 0.5
  done
  docker_ok || die "dockerd not answering after 60 s, see $LOG_DIR/dockerd.log"
fi
if [[ $RUNTIME_ADDED -eq 1 ]] && pgrep -x dockerd >/dev/null; then
  log "reloading dockerd configuration (SIGHUP) for the new runtime"
  kill -HUP "$(cat /var/run/docker.pid)"
  sleep 1
fi
log "docker ready: client $("$DOCKER" version -f '{{.Client.Version}}'), daemon $("$DOCKER" version -f '{{.Server.Version}}')"

# --- guacd ----------------------------------------------------------------------
guacd_listening() { ss -Hltn "sport = :$GUACD_PORT" | grep -q .; }
JAIL_PID=/run/genos-guacd-$GUACD_PORT/jail.pid
guacd_contained() { [[ -f $JAIL_PID ]] && kill -0 "$(cat "$JAIL_PID")" 2>/dev/null && guacd_listening; }
if ! guacd_contained; then
  # A guacd an earlier GenOS started outside its sandbox gives way first.
  for pid in $(ss -Hltnp "sport = :$GUACD_PORT" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
    log "stopping an uncontained guacd (pid $pid) on port $GUACD_PORT"
    kill -TERM -- "-$(ps -o pgid= -p "$pid" | tr -d ' ')" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for _ in $(seq 1 50); do guacd_listening || break; sleep 0.1; done
  log "starting guacd contained on $GUACD_HOST:$GUACD_PORT as $GUACD_USER (log: $LOG_DIR/guacd.log)"
  GUACD_USER=$GUACD_USER GUACD_HOST=$GUACD_HOST GUACD_PORT=$GUACD_PORT bash "$(dirname "$0")/start-guacd.sh" ||
    die "guacd did not start in its sandbox, see $LOG_DIR/guacd.log"
fi
log "guacd listening on $GUACD_HOST:$GUACD_PORT (contained: own user, no network, own namespaces)"

# --- libvirt/KVM for VM environments (spec.runtime "vm") ------------------------
# Only where /dev/kvm exists. No systemd: virtlogd and libvirtd are started
# here like dockerd. dnsmasq-base serves DNS on the worker's own NAT networks.
VM_PKGS=(libvirt-daemon-system qemu-system-x86 qemu-utils dnsmasq-base)
if [[ -e /dev/kvm ]]; then
  missing_vm=()
  for p in "${VM_PKGS[@]}"; do installed "$p" || missing_vm+=("$p"); done
  if ((${#missing_vm[@]})); then
    apt_update_once
    log "installing ${missing_vm[*]}"
    apt_install "${missing_vm[@]}"
  else
    log "libvirt packages present"
  fi
  # Without udev /dev/kvm stays root-only 0600: QEMU runs as libvirt-qemu (group kvm).
  if [[ $(stat -c '%G %a' /dev/kvm) != "kvm 660" ]]; then
    log "giving /dev/kvm to group kvm (0660), as udev would"
    chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
  fi
  virsh_ok() { virsh -c qemu:///system version >/dev/null 2>&1; }
  if ! virsh_ok; then
    pgrep -x virtlogd >/dev/null || { log "starting virtlogd"; virtlogd -d; }
    pgrep -x libvirtd >/dev/null || { log "starting libvirtd (log: $LOG_DIR/libvirtd.log)"; LIBVIRT_LOG_OUTPUTS="3:file:$LOG_DIR/libvirtd.log" libvirtd -d; }
    for _ in $(seq 1 100); do virsh_ok && break; sleep 0.1; done
    virsh_ok || die "libvirtd did not answer within 10 s, see $LOG_DIR/libvirtd.log"
  fi
  log "libvirt ready: $(virsh -c qemu:///system version --daemon 2>/dev/null | grep -i 'running hypervisor' | sed 's/.*: *//')"
else
  log "no /dev/kvm: VM environments are disabled on this host"
fi
log "done"
