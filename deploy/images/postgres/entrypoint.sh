#!/bin/bash
# Starts PostgreSQL on its unix socket only; makes the cluster, the genos role and
# database at first start. The password comes from the secrets file (env_file), never
# from the image.
set -euo pipefail
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is not set: the compose secrets file (deploy/compose/make-secrets.sh) sets it}"
[[ $POSTGRES_PASSWORD =~ ^[A-Za-z0-9_-]+$ ]] || { echo "POSTGRES_PASSWORD: letters, digits, - and _ only" >&2; exit 2; }
if [[ ! -s $PGDATA/PG_VERSION ]]; then
  echo "[postgres] first start: making the cluster in $PGDATA"
  # postgres (the superuser) only by peer, from inside this container; genos by password over the socket; no TCP.
  initdb -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 --auth-local=peer --auth-host=reject >/dev/null
  printf '%s\n' 'local all postgres peer' 'local genos genos scram-sha-256' >"$PGDATA/pg_hba.conf"
  postgres --single -D "$PGDATA" postgres >/dev/null <<SQL
CREATE ROLE genos LOGIN PASSWORD '$POSTGRES_PASSWORD'
CREATE DATABASE genos OWNER genos
SQL
fi
# jit=off: the image leaves LLVM out (rootfs-exclude.txt).
exec postgres -D "$PGDATA" -c listen_addresses= -c unix_socket_directories=/run/postgresql -c password_encryption=scram-sha-256 -c jit=off
