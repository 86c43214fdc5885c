#!/usr/bin/env bash
# Starts guacd in the background, unprivileged, on loopback only (guacd 1.3.0
# has known CVEs): no capabilities, no new privileges, its log appended to
# /var/log/genos/guacd.log. setup-host.sh uses it, and so does the e2e test
# that restarts guacd, so both run it the same way. As root.
set -euo pipefail
GUACD_USER=${GUACD_USER:-genos-guacd}
GUACD_HOST=${GUACD_HOST:-127.0.0.1}
GUACD_PORT=${GUACD_PORT:-4822}
LOG_DIR=/var/log/genos
# FreeRDP (guacd's RDP plugin) keeps its settings and seen certificates under
# $HOME and refuses TLS when it cannot write there: a home of its own, 0700.
GUACD_HOME=/var/lib/genos/guacd-home

id -u "$GUACD_USER" >/dev/null 2>&1 ||
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$GUACD_USER"
install -d -o "$GUACD_USER" -g "$GUACD_USER" -m 0700 "$GUACD_HOME"
mkdir -p "$LOG_DIR"
touch "$LOG_DIR/guacd.log"
# -f keeps it in the foreground so its log goes to stderr (our file).
HOME=$GUACD_HOME setsid nohup setpriv --reuid="$GUACD_USER" --regid="$GUACD_USER" --init-groups \
  --inh-caps=-all --bounding-set=-all --no-new-privs \
  guacd -f -b "$GUACD_HOST" -l "$GUACD_PORT" -L info \
  >>"$LOG_DIR/guacd.log" 2>&1 </dev/null &
