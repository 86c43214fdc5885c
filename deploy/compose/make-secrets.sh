#!/usr/bin/env bash
# Makes the compose stack's secrets, once, in a folder of their own (0700), one file per
# set of readers, so each container gets only what it uses:
#
#   deploy/compose/make-secrets.sh DIR
#
#   DIR/postgres.env  POSTGRES_PASSWORD                   the database
#   DIR/database.env  DATABASE_URL (the same password)    the web app, the worker, the setup job
#   DIR/web.env       AUTH_SECRET, GENOS_TUNNEL_KEY       the web app
#   DIR/admin.env     GENOS_ADMIN_PASSWORD                the setup job (the first admin)
#   DIR/genos.env     empty: any other GenOS setting      the web app, the worker, the setup job
#   DIR/keys/         the key-encryption key file the setup job makes (kek.json): back it up
#                     apart from the database, never with it
#
# Files are mode 600 and read by compose through env_file: nothing is baked into an
# image. A value already there is kept, so a second run changes nothing; a new setting
# is added. The admin password is printed once, when it is made.
set -euo pipefail
DIR=${1:?usage: make-secrets.sh DIR}
umask 077
mkdir -p "$DIR/keys"
chmod 0700 "$DIR" "$DIR/keys"

rand() { openssl rand -hex "$1"; }
# get FILE KEY: the value in FILE, or nothing.
get() { [[ -f $1 ]] && sed -n "s/^$2=//p" "$1" | head -1 || true; }
# put FILE KEY VALUE: adds the setting unless FILE has it.
put() { grep -q "^$2=" "$1" 2>/dev/null || echo "$2=$3" >>"$1"; }

for f in postgres database web admin genos; do
  touch "$DIR/$f.env"
  chmod 0600 "$DIR/$f.env"
done
password=$(get "$DIR/postgres.env" POSTGRES_PASSWORD)
[[ -n $password ]] || { password=$(rand 24); put "$DIR/postgres.env" POSTGRES_PASSWORD "$password"; }
# PostgreSQL's unix socket (a shared volume): the database has no network at all.
put "$DIR/database.env" DATABASE_URL "postgresql://genos:$password@localhost/genos?host=/run/postgresql"
put "$DIR/web.env" AUTH_SECRET "$(rand 32)"
# guacamole-lite takes the key as exactly 32 characters.
put "$DIR/web.env" GENOS_TUNNEL_KEY "$(rand 16)"
if [[ -z $(get "$DIR/admin.env" GENOS_ADMIN_PASSWORD) ]]; then
  admin=$(rand 12)
  put "$DIR/admin.env" GENOS_ADMIN_PASSWORD "$admin"
  echo "admin@genos.local password (shown once; also in $DIR/admin.env): $admin"
fi
