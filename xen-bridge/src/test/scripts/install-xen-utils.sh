#!/bin/sh
# Installs Xen 4.17's migration-stream checker (verify-stream-v2 and its Python modules) without
# installing Xen: downloads Debian's xen-utils-4.17 package and unpacks it into a directory.
# Idempotent: does nothing when the checker is already there.
#
# Usage: install-xen-utils.sh [DIR]   (default: $SONIC_XEN_UTILS, else /opt/xen-utils)
set -eu

dir="${1:-${SONIC_XEN_UTILS:-/opt/xen-utils}}"
checker="$dir/usr/lib/xen-4.17/bin/verify-stream-v2"

if [ -f "$checker" ]; then
    echo "verify-stream-v2 already present in $dir"
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# apt-get download needs package lists; fetch them only if the first attempt fails.
if ! apt-get -o APT::Sandbox::User=root download xen-utils-4.17 >/dev/null 2>&1; then
    apt-get update -qq
    apt-get -o APT::Sandbox::User=root download xen-utils-4.17
fi

mkdir -p "$dir"
dpkg -x xen-utils-4.17_*.deb "$dir"

if [ ! -f "$checker" ]; then
    echo "xen-utils-4.17 unpacked into $dir but $checker is missing" >&2
    exit 1
fi
echo "verify-stream-v2 installed in $dir"
