#!/bin/bash
# guacd on the container's own loopback, exported as /run/genos-guacd/guacd.sock
# (a volume the web app and the worker mount): as scripts/start-guacd.sh does on a host.
# Either one ending ends the container, and compose starts it again.
set -euo pipefail
SOCK=/run/genos-guacd/guacd.sock
guacd -f -b 127.0.0.1 -l 4822 -L "${GUACD_LOG_LEVEL:-info}" &
socat -b 65536 "UNIX-LISTEN:$SOCK,fork,mode=0660,unlink-early" TCP:127.0.0.1:4822 &
wait -n
echo "[guacd] guacd or its socket relay exited: stopping" >&2
exit 1
