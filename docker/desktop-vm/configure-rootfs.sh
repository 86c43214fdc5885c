#!/bin/bash
# Turns a debootstrapped bookworm tree (packages.txt) into the GenOS VM base:
# user genos (1000:1000), the tiny init, a small initrd for virtio disks,
# apt configured like the container base, caches dropped.
# Usage: configure-rootfs.sh ROOT   (as root, on the host; uses chroot)
set -euo pipefail
ROOT=$1
HERE=$(cd "$(dirname "$0")" && pwd)
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }

install -m 0755 "$HERE/genos-vm-init" "$ROOT/usr/local/sbin/genos-vm-init"
install -D -m 0644 "$HERE/Xresources" "$ROOT/etc/genos/Xresources"
echo genos >"$ROOT/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 genos\n' >"$ROOT/etc/hosts"
: >"$ROOT/etc/fstab"

printf '%s\n' \
  'deb http://deb.debian.org/debian bookworm main contrib' \
  'deb http://deb.debian.org/debian bookworm-updates main contrib' \
  'deb http://deb.debian.org/debian-security bookworm-security main contrib' \
  >"$ROOT/etc/apt/sources.list"
printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
  'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
  'path-exclude /usr/share/locale/*' >"$ROOT/etc/dpkg/dpkg.cfg.d/genos-nodoc"
printf 'APT::Install-Recommends "false";\n' >"$ROOT/etc/apt/apt.conf.d/90genos-norecommends"

getent -s files passwd genos >/dev/null 2>&1 || true
if ! grep -q '^genos:' "$ROOT/etc/passwd"; then
  in_root groupadd --gid 1000 genos
  in_root useradd --uid 1000 --gid 1000 --home-dir /home/genos --create-home --shell /bin/bash genos
fi

# Direct kernel boot from virtio-blk: an initrd with just what finds the root.
printf 'MODULES=list\nCOMPRESS=gzip\n' >"$ROOT/etc/initramfs-tools/conf.d/genos"
printf '%s\n' virtio_pci virtio_blk ext4 crc32c_generic >"$ROOT/etc/initramfs-tools/modules"
in_root update-initramfs -u -k all >/dev/null

rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/lib/apt/lists/*_* \
  "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* "$ROOT"/usr/share/locale/* \
  "$ROOT"/usr/share/lintian/*
