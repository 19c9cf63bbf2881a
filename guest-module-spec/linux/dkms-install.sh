#!/bin/bash
# Installs sonic_hint.ko with DKMS for every installed kernel that has its headers, and for kernels
# installed later (AUTOINSTALL). Run as root from anywhere:  guest-module-spec/linux/dkms-install.sh
# Needs: dkms, and linux-headers-<version> for each kernel (Debian: linux-headers-amd64 follows the
# default kernel). Undo with:  dkms remove sonic_hint/1.0 --all && rm -rf /usr/src/sonic_hint-1.0
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$HERE/module/dkms.conf")
SRC=/usr/src/sonic_hint-$VERSION

die() { echo "dkms-install: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "run as root"
command -v dkms > /dev/null || die "dkms is not installed (apt-get install dkms)"

if dkms status -m sonic_hint -v "$VERSION" | grep -q .; then
    dkms remove -m sonic_hint -v "$VERSION" --all
fi
rm -rf "$SRC"
mkdir -p "$SRC"
cp "$HERE"/module/{Kbuild,Makefile,dkms.conf,*.c,*.h} "$HERE/../include/sonic_hint.h" "$SRC/"
dkms add -m sonic_hint -v "$VERSION"
built=0
for build in /lib/modules/*/build; do
    kver=$(basename "$(dirname "$build")")
    if [[ -f $build/Makefile ]]; then
        dkms install -m sonic_hint -v "$VERSION" -k "$kver"
        built=$((built + 1))
    else
        echo "dkms-install: no headers for $kver (apt-get install linux-headers-$kver); skipped"
    fi
done
[[ $built -gt 0 ]] || die "no installed kernel has its headers"
echo "dkms-install: sonic_hint $VERSION installed for $built kernel(s); load it with: modprobe sonic_hint"
