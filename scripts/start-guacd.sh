#!/usr/bin/env bash
# Starts guacd contained, as root, idempotently (a running one is replaced).
# setup-host.sh uses it, and so does the e2e test that restarts guacd.
#
# guacd 1.3.0 (the only one Debian ships) has published vulnerabilities that a
# hostile VNC or RDP server can reach, and every desktop's own server talks to
# it. So a guacd taken over from inside a desktop must reach nothing else:
#   - its own user (genos-guacd), no capabilities, no new privileges;
#   - its own network namespace with only a loopback: no route to the
#     database, the web app, the Docker API or any other host. The web app
#     reaches it through a unix socket in $RUN_DIR, relayed to
#     $GUACD_HOST:$GUACD_PORT on the host by socat (also unprivileged);
#   - its own PID, IPC and UTS namespaces: other processes (and their /proc)
#     are invisible;
#   - its own mount namespace: /usr and /etc read-only, an empty /tmp and
#     /run, and of the host's data only the GenOS state roots (display
#     sockets, its recordings, its FreeRDP home), where file permissions
#     decide the rest; the embedded database's folder is hidden, the Docker
#     socket, home folders and the repository are absent;
#   - limits: open files, processes, no core dumps.
set -euo pipefail
GUACD_USER=${GUACD_USER:-genos-guacd}
GUACD_HOST=${GUACD_HOST:-127.0.0.1}
GUACD_PORT=${GUACD_PORT:-4822}
LOG_DIR=/var/log/genos
# FreeRDP (guacd's RDP plugin) keeps its settings and seen certificates under
# $HOME and refuses TLS when it cannot write there: a home of its own, 0700.
GUACD_HOME=/var/lib/genos/guacd-home
# Where guacd's unix socket and the pid files live (one per port, so a second
# guacd for a test does not touch the first).
RUN_DIR=/run/genos-guacd-$GUACD_PORT
SOCK=$RUN_DIR/guacd.sock
# The folders guacd may see: every GenOS state dir must sit under one of them
# (the default /var/lib/genos/<instance>; the test suites' own state dirs).
STATE_ROOTS=(/var/lib/genos /tmp/genos-test-state)
LOG=$LOG_DIR/guacd.log

id -u "$GUACD_USER" >/dev/null 2>&1 ||
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$GUACD_USER"
for d in "${STATE_ROOTS[@]}"; do mkdir -p "$d" && chmod o+x "$d"; done
install -d -o "$GUACD_USER" -g "$GUACD_USER" -m 0700 "$GUACD_HOME"
install -d -o "$GUACD_USER" -g "$GUACD_USER" -m 0750 "$RUN_DIR"
mkdir -p "$LOG_DIR"
touch "$LOG"

# Replace what an earlier start left (the relay's listener may be gone already).
for f in "$RUN_DIR/jail.pid" "$RUN_DIR/relay.pid"; do
  if [[ -f $f ]]; then
    pid=$(cat "$f")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$f"
  fi
done
rm -f "$SOCK"

drop=(setpriv --reuid="$GUACD_USER" --regid="$GUACD_USER" --init-groups --inh-caps=-all --bounding-set=-all --no-new-privs)
binds=()
for d in "${STATE_ROOTS[@]}"; do binds+=(--bind "$d" "$d"); done
# The embedded PostgreSQL's cluster and password files: not guacd's business. Made
# now if missing, so the mask is there even when guacd starts before the database
# (a fresh machine): what is created there later stays hidden under it.
mkdir -p /var/lib/genos/postgres
binds+=(--tmpfs /var/lib/genos/postgres)

# The jail: bwrap (as root, to make the namespaces), then guacd and the
# socket relay inside it as guacd's user. -f keeps guacd in the foreground so
# its log goes to our file.
setsid nohup prlimit --nofile=4096:4096 --nproc=2048:2048 --core=0 \
  bwrap --unshare-net --unshare-pid --unshare-ipc --unshare-uts --unshare-cgroup-try --hostname genos-guacd \
  --ro-bind /usr /usr --ro-bind /etc /etc \
  --symlink usr/bin /bin --symlink usr/sbin /sbin --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
  --dev /dev --proc /proc --tmpfs /tmp --tmpfs /run \
  --perms 0755 --dir /var --perms 0755 --dir /var/lib \
  "${binds[@]}" --bind "$RUN_DIR" "$RUN_DIR" \
  --setenv HOME "$GUACD_HOME" --chdir / \
  "${drop[@]}" \
  sh -c 'guacd -f -b 127.0.0.1 -l 4822 -L info & exec socat -b 65536 "UNIX-LISTEN:$0,fork,mode=0660,unlink-early" TCP:127.0.0.1:4822' "$SOCK" \
  >>"$LOG" 2>&1 </dev/null &
echo $! >"$RUN_DIR/jail.pid"

# The host side: $GUACD_HOST:$GUACD_PORT to the jail's socket, unprivileged.
setsid nohup "${drop[@]}" socat -b 65536 "TCP-LISTEN:$GUACD_PORT,bind=$GUACD_HOST,reuseaddr,fork" "UNIX-CONNECT:$SOCK" \
  >>"$LOG" 2>&1 </dev/null &
echo $! >"$RUN_DIR/relay.pid"

# Ready when guacd itself answers a handshake through both hops.
ready() {
  exec 3<>"/dev/tcp/$GUACD_HOST/$GUACD_PORT" || return 1
  printf '6.select,3.vnc;' >&3
  local reply
  reply=$(timeout 1 head -c 6 <&3 || true)
  printf '10.disconnect;' >&3 2>/dev/null || true
  exec 3>&-
  [[ $reply == 4.args ]]
}
for _ in $(seq 1 100); do ready 2>/dev/null && exit 0; sleep 0.1; done
echo "guacd did not answer through its jail within 10 s, see $LOG" >&2
exit 1
