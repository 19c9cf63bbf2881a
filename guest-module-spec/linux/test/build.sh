#!/bin/bash
# Builds everything the kernel test boots, under guest-module-spec/linux/build/ (git-ignored):
#   module/sonic_hint.ko   the module, built by Kbuild against the headers of exactly KVER
#   sonic-check            the static in-guest checker (test/sonic-check.c)
#   disk.img               ext4 image with DATA_MIB of random data in data.bin (kept between runs)
#   initramfs.cpio.gz      busybox, the virtio/ext4 modules, the module, the checker, guest-init.sh
# run-kernel-test.sh sources this file; running it alone builds without booting (cheap iteration).
# Needs the packages run-kernel-test.sh installs.
set -euo pipefail

TEST_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LINUX_SRC=$(cd "$TEST_SRC/.." && pwd)
SPEC_INCLUDE=$(cd "$LINUX_SRC/../include" && pwd)
BUILD_DIR=${KTEST_BUILD_DIR:-$LINUX_SRC/build}
# Workload (MiB) and check parameters, baked into the initramfs.
DATA_MIB=${KTEST_DATA_MIB:-200}
ANON_MIB=${KTEST_ANON_MIB:-100}
MAP_MIB=${KTEST_MAP_MIB:-16}
DIRTY_MIB=${KTEST_DIRTY_MIB:-16}
ROUNDS=${KTEST_ROUNDS:-3}
BUDGET_MS=${KTEST_BUDGET_MS:-60000}   # TCG runs the handshake ~20x slower than hardware
DISK_MIB=$((DATA_MIB + 96))
GUEST_MODULES="virtio_pci virtio_blk ext4"

die() { echo "kernel-test: $*" >&2; exit 2; }
note() { echo "kernel-test: $*"; }

# The newest installed kernel image, and its headers, which must be the very same version.
resolve_kernel() {
    local newest image_ver headers_ver
    newest=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
    [[ -n $newest ]] || die "no /boot/vmlinuz-* (is linux-image-amd64 installed?)"
    KERNEL_IMAGE=$newest
    KVER=${newest#/boot/vmlinuz-}
    KDIR=/lib/modules/$KVER/build
    [[ -d /lib/modules/$KVER/kernel ]] || die "no /lib/modules/$KVER for $KERNEL_IMAGE"
    [[ -f $KDIR/Makefile ]] ||
        die "no kernel headers for $KVER at $KDIR: apt-get install linux-headers-$KVER (linux-headers-amd64 may name another version)"
    image_ver=$(dpkg-query -W -f='${Version}' "linux-image-$KVER" 2>/dev/null || true)
    headers_ver=$(dpkg-query -W -f='${Version}' "linux-headers-$KVER" 2>/dev/null || true)
    [[ -n $image_ver && $image_ver == "$headers_ver" ]] ||
        die "kernel image linux-image-$KVER is '${image_ver:-not a package}' but linux-headers-$KVER is '${headers_ver:-not installed}': they must match"
}

# Kbuild against a kernel's headers in a copy of the sources laid out as DKMS lays them out (the ABI
# header beside them, found by Kbuild itself); -Werror, and any warning printed fails the build too.
compile_module() { # HEADERS_DIR OUT_DIR LOG
    rm -rf "$2"
    mkdir -p "$2"
    cp "$LINUX_SRC"/module/{Kbuild,Makefile,dkms.conf,*.c,*.h} "$SPEC_INCLUDE/sonic_hint.h" "$2/"
    make -s -j"$(nproc)" -C "$1" M="$2" KCFLAGS=-Werror modules > "$3" 2>&1 || { cat "$3"; die "module build against $1 failed"; }
    if grep -E 'warning:|error:' "$3"; then
        die "the module build against $1 printed warnings (see $3)"
    fi
}

build_module() {
    local vermagic
    compile_module "$KDIR" "$BUILD_DIR/module" "$BUILD_DIR/module-build.log"
    vermagic=$(modinfo -F vermagic "$BUILD_DIR/module/sonic_hint.ko")
    [[ $vermagic == "$KVER "* ]] || die "sonic_hint.ko has vermagic '$vermagic', not $KVER"
}

# KTEST_EXTRA_KDIRS="DIR ...": the same -Werror build against other kernels' headers (compile only,
# nothing boots them), e.g. a newer LTS kernel's, to catch API changes the test kernel does not have.
build_extra_kernels() {
    local kdir n=0
    for kdir in ${KTEST_EXTRA_KDIRS:-}; do
        n=$((n + 1))
        compile_module "$kdir" "$BUILD_DIR/module-extra-$n" "$BUILD_DIR/module-extra-$n.log"
        note "built against $kdir: $(modinfo -F vermagic "$BUILD_DIR/module-extra-$n/sonic_hint.ko")"
    done
}

# KTEST_DKMS=1: the real DKMS build from module/dkms.conf, in a private DKMS tree (nothing installed).
build_dkms() {
    local tree=$BUILD_DIR/dkms version ko
    [[ ${KTEST_DKMS:-0} == 1 ]] || return 0
    command -v dkms > /dev/null || die "KTEST_DKMS=1 needs dkms (apt-get install dkms)"
    version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$LINUX_SRC/module/dkms.conf")
    rm -rf "$tree"
    mkdir -p "$tree/dkms" "$tree/src/sonic_hint-$version"
    cp "$LINUX_SRC"/module/{Kbuild,Makefile,dkms.conf,*.c,*.h} "$SPEC_INCLUDE/sonic_hint.h" "$tree/src/sonic_hint-$version/"
    dkms add -m sonic_hint -v "$version" --dkmstree "$tree/dkms" --sourcetree "$tree/src" > "$BUILD_DIR/dkms.log" 2>&1 &&
        dkms build -m sonic_hint -v "$version" -k "$KVER" --dkmstree "$tree/dkms" --sourcetree "$tree/src" \
            >> "$BUILD_DIR/dkms.log" 2>&1 || { cat "$BUILD_DIR/dkms.log"; die "DKMS build failed"; }
    ko=$tree/dkms/sonic_hint/$version/$KVER/$(uname -m)/module/sonic_hint.ko
    [[ -f $ko && $(modinfo -F vermagic "$ko") == "$KVER "* ]] || die "DKMS built no sonic_hint.ko for $KVER"
    note "DKMS built sonic_hint $version for $KVER"
}

build_checker() {
    gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -I "$SPEC_INCLUDE" \
        -o "$BUILD_DIR/sonic-check" "$TEST_SRC/sonic-check.c"
}

# ext4 on a real (virtio) disk: tmpfs pages would be swap-backed, i.e. hard, not clean cache.
# Rebuilt only when its size parameters change; QEMU opens it with snapshot=on, so it stays pristine.
build_disk() {
    local img=$BUILD_DIR/disk.img stamp=$BUILD_DIR/disk.stamp want="data=$DATA_MIB disk=$DISK_MIB"
    [[ -f $img && -f $stamp && $(cat "$stamp") == "$want" ]] && return 0
    rm -rf "$BUILD_DIR/disk-root" "$img" "$stamp"
    mkdir -p "$BUILD_DIR/disk-root"
    head -c "$((DATA_MIB << 20))" /dev/urandom > "$BUILD_DIR/disk-root/data.bin"
    mkfs.ext4 -q -F -L sonicdata -d "$BUILD_DIR/disk-root" "$img" "${DISK_MIB}M"
    rm -rf "$BUILD_DIR/disk-root"
    echo "$want" > "$stamp"
}

new_busybox_root() { # ROOT
    local root=$1 applet
    rm -rf "$root"
    mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,mnt,test,usr/bin,usr/sbin}
    cp /bin/busybox "$root/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [[ -e $root/bin/$applet ]] || ln -s busybox "$root/bin/$applet"
    done
    mknod -m 600 "$root/dev/console" c 5 1
}

# The disk and file-system modules with their dependencies, in load order, and the list the guest reads.
add_guest_modules() { # ROOT
    local root=$1 module file
    : > "$root/test/modules.list"
    for module in $GUEST_MODULES; do
        for file in $(modprobe -S "$KVER" --show-depends "$module" | awk '$1 == "insmod" { print $2 }'); do
            [[ -f $root$file ]] && continue
            mkdir -p "$root$(dirname "$file")"
            cp "$file" "$root$file"
            echo "$file" >> "$root/test/modules.list"
        done
    done
}

build_initramfs() {
    local root=$BUILD_DIR/guest-root
    new_busybox_root "$root"
    add_guest_modules "$root"
    install -m 755 "$TEST_SRC/guest-init.sh" "$root/init"
    install -m 644 "$BUILD_DIR/module/sonic_hint.ko" "$root/test/sonic_hint.ko"
    install -m 755 "$BUILD_DIR/sonic-check" "$root/test/sonic-check"
    cat > "$root/test/config.env" <<CONFIG
DATA_MIB=$DATA_MIB
ANON_MIB=$ANON_MIB
MAP_MIB=$MAP_MIB
DIRTY_MIB=$DIRTY_MIB
ROUNDS=$ROUNDS
BUDGET_MS=$BUDGET_MS
MIN_CACHE_MIB=$((DATA_MIB * 3 / 4))
CONFIG
    chroot "$root" /bin/sh -n /init || die "guest-init.sh does not parse"
    (cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) > "$BUILD_DIR/initramfs.cpio.gz.tmp"
    mv "$BUILD_DIR/initramfs.cpio.gz.tmp" "$BUILD_DIR/initramfs.cpio.gz"
}

build_all() {
    mkdir -p "$BUILD_DIR"
    build_module
    build_extra_kernels
    build_dkms
    build_checker
    build_disk
    build_initramfs
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    resolve_kernel
    build_all
    ls -l "$BUILD_DIR"/module/sonic_hint.ko "$BUILD_DIR"/sonic-check "$BUILD_DIR"/disk.img "$BUILD_DIR"/initramfs.cpio.gz
fi
