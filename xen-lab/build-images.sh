#!/bin/bash
# Builds what the lab boots, under $LAB_DIR (default lab-out/ in the repo):
#   xen            Xen 4.17 unpacked (QEMU's -kernel wants the 32-bit multiboot ELF, not the .gz)
#   bin/xen-probe  the native log-dirty check, built against the host's libxen-dev
#   classes/       the lab's own Java checks (xen-lab/checks/*.java), compiled
#   sonic.jar      the copy of cli/target/sonic.jar the sonic steps run
#   sonic.jsa      a class-data-sharing archive of that copy for the JVMs in dom0
#   guest.cpio.gz  the PVH guest's initramfs: busybox + guest/init (memory writer + heartbeat), the
#                  memory check, sonic_hint.ko and the disk's modules (the guest worth migrating)
#   guest-disk.img ext4 disk of that guest (random files for its page cache), served by xen-blkback
#   block-lab      libxl's hotplug script for that disk (at the same path in dom0 and its chroot)
#   dom0.cpio.gz   dom0's initramfs: busybox, the Xen toolstack and its libraries, the kernel modules
#                  for Xen and 9p, the guest's kernel and initramfs, and the dom0 scripts
# run-lab.sh sources this file; running it alone rebuilds the images without booting anything,
# which is the cheap way to iterate on them. Needs the packages run-lab.sh installs.
set -euo pipefail

BUILD_DIR_NAME=build
DOM0_MODULES="xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs virtio_pci 9pnet_virtio 9p xen-blkback loop"
DOM0_XEN_TOOLS="xl xenstored xenconsoled xen-init-dom0 libxl-save-helper"
# The guest worth migrating reads its disk with these (and their dependencies).
GUEST_DISK_MODULES="xen-blkfront ext4"
# Random files on its disk, MiB each: what its page cache holds.
GUEST_DISK_FILES_MIB="16 16"

build_xen_image() {
    [[ -f $XEN_GZ ]] || die "$XEN_GZ is missing (is xen-hypervisor-4.17-amd64 installed?)"
    if [[ ! -f $LAB_DIR/xen || $XEN_GZ -nt $LAB_DIR/xen ]]; then
        zcat "$XEN_GZ" > "$LAB_DIR/xen.tmp" && mv "$LAB_DIR/xen.tmp" "$LAB_DIR/xen"
    fi
}

build_probe() {
    mkdir -p "$LAB_DIR/bin"
    gcc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$LAB_DIR/bin/xen-probe" \
        "$LAB_SRC/probe/xen-probe.c" -lxenctrl -lxenforeignmemory
}

# The lab's own Java checks, compiled on the host: a source-file launch would make the JVM in
# dom0 run javac under TCG, which takes minutes. Skipped when there is no JDK.
compile_java_checks() {
    rm -rf "$LAB_DIR/classes"
    [[ -x $LAB_JAVA_HOME/bin/javac ]] || return 0
    "$LAB_JAVA_HOME/bin/javac" --release 25 -cp "$REPO_ROOT/cli/target/sonic.jar" -d "$LAB_DIR/classes" "$LAB_SRC"/checks/*.java
}

# A class-data-sharing archive of the sonic CLI for the JVMs in dom0: under TCG, loading and verifying
# classes is much of a JVM's start. Made on the host from the classes a training run loads (a simulated
# save: the CLI, the engine, the stream writer, the report), with the options dom0 passes; remade when
# the jar or the options change. A static archive holds no machine code, so the host's CPU does not
# matter (JDK 25's AOT cache does carry some: a cache from the host crashed with SIGILL in dom0's qemu64
# CPU, and so did one trained under qemu-user's qemu64). Without the archive the sonic steps only start
# slower.
build_sonic_cds_archive() {
    local archive=$LAB_DIR/sonic.jsa build=$LAB_DIR/$BUILD_DIR_NAME jar=$LAB_DIR/sonic.jar
    local java=$LAB_JAVA_HOME/bin/java opts="$LAB_JAVA_OPTS --enable-native-access=ALL-UNNAMED"
    LAB_SONIC_JAVA_OPTS=$opts
    # The sonic steps run this copy: a build in the repository during a run must not change the jar
    # under a JVM in dom0 that reads it lazily.
    if [[ -f $REPO_ROOT/cli/target/sonic.jar ]] && ! cmp -s "$REPO_ROOT/cli/target/sonic.jar" "$jar"; then
        cp -p "$REPO_ROOT/cli/target/sonic.jar" "$jar"
    fi
    if [[ ! -f $jar || ! -x $java ]]; then
        rm -f "$archive" "$archive.opts"
        return 0
    fi
    if [[ ! -f $archive || $jar -nt $archive || $(cat "$archive.opts" 2>/dev/null) != "$opts" ]]; then
        rm -f "$archive" "$archive.opts"
        # $opts is a list of JVM options: split on purpose
        if "$java" $opts -XX:DumpLoadedClassList="$build/sonic.classlist" -jar "$jar" save --memory 64M \
                --no-progress -o "$build/cds-training.xlsave" > "$build/sonic-cds.log" 2>&1 &&
            "$java" $opts -Xshare:dump -XX:SharedClassListFile="$build/sonic.classlist" \
                -XX:SharedArchiveFile="$archive" -cp "$jar" >> "$build/sonic-cds.log" 2>&1 &&
            "$java" $opts -Xshare:on -XX:SharedArchiveFile="$archive" -jar "$jar" backends >> "$build/sonic-cds.log" 2>&1
        then
            echo "$opts" > "$archive.opts"
        else
            echo "build-images: no class-data archive for sonic.jar (see $build/sonic-cds.log): the sonic steps will start slower" >&2
            rm -f "$archive"
        fi
        rm -f "$build/cds-training.xlsave"
    fi
    [[ -f $archive ]] && LAB_SONIC_JAVA_OPTS="$opts -XX:SharedArchiveFile=$archive"
    return 0
}

# An empty root with busybox and its applets (never replacing a file already there).
new_busybox_root() { # ROOT
    local root=$1 applet
    rm -rf "$root"
    mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,usr/bin,usr/sbin,var/log}
    cp /bin/busybox "$root/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [[ -e $root/bin/$applet ]] || ln -s busybox "$root/bin/$applet"
    done
    mknod -m 600 "$root/dev/console" c 5 1
}

# Copies FILE to the same path under ROOT, with every shared library ldd resolves for it.
copy_with_libs() { # ROOT FILE
    local root=$1 file=$2 lib
    mkdir -p "$root$(dirname "$file")"
    cp -L "$file" "$root$file"
    for lib in $(ldd "$file" | grep -o '/[^ ]*'); do
        if [[ ! -e $root$lib ]]; then
            mkdir -p "$root$(dirname "$lib")"
            cp -L "$lib" "$root$lib"
        fi
    done
}

pack_cpio() { # ROOT OUTPUT
    (cd "$1" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) > "$2.tmp"
    mv "$2.tmp" "$2"
}

# sonic_hint.ko for the guest's kernel, built as the kernel test builds it (Kbuild against that very
# kernel's headers, -Werror), in a subshell: build.sh has helpers of the same names as this file.
build_guest_module() {
    (
        KTEST_BUILD_DIR=$LAB_DIR/$BUILD_DIR_NAME/ktest
        source "$REPO_ROOT/guest-module-spec/linux/test/build.sh"
        resolve_kernel
        [[ $KVER == "$KERNEL_VERSION" ]] || die "the module would be built for $KVER, the lab boots $KERNEL_VERSION"
        mkdir -p "$BUILD_DIR"
        build_module
    )
}

# The disk's driver and file system with their dependencies, and the list the guest loads in order.
add_guest_disk_modules() { # ROOT
    local root=$1 module file
    : > "$root/lab/modules.list"
    for module in $GUEST_DISK_MODULES; do
        for file in $(modprobe -S "$KERNEL_VERSION" --show-depends "$module" | awk '$1 == "insmod" { print $2 }'); do
            [[ -f $root$file ]] && continue
            mkdir -p "$root$(dirname "$file")"
            cp "$file" "$root$file"
            echo "$file" >> "$root/lab/modules.list"
        done
    done
}

build_guest_initramfs() {
    local root=$LAB_DIR/$BUILD_DIR_NAME/guest-root
    new_busybox_root "$root"
    mkdir -p "$root/lab"
    install -m 755 "$LAB_SRC/guest/init" "$root/init"
    gcc -O2 -Wall -Wextra -Werror -static -o "$root/bin/memcheck" "$LAB_SRC/guest/memcheck.c"
    install -m 644 "$LAB_DIR/$BUILD_DIR_NAME/ktest/module/sonic_hint.ko" "$root/lab/sonic_hint.ko"
    add_guest_disk_modules "$root"
    chroot "$root" /bin/sh -n /init || die "guest/init does not parse"
    pack_cpio "$root" "$LAB_DIR/guest.cpio.gz"
}

# The guest's disk: ext4 holding GUEST_DISK_FILES_MIB of random data (file-backed: a page-cache page
# of it is clean and can be dropped and read again). Rebuilt only when the sizes change.
build_guest_disk() {
    local img=$LAB_DIR/guest-disk.img stamp=$LAB_DIR/guest-disk.stamp dir=$LAB_DIR/$BUILD_DIR_NAME/disk-root
    local mib n=0 total=0
    [[ -f $img && $(cat "$stamp" 2>/dev/null) == "$GUEST_DISK_FILES_MIB" ]] && return 0
    rm -rf "$dir" "$img" "$stamp"
    mkdir -p "$dir"
    for mib in $GUEST_DISK_FILES_MIB; do
        n=$((n + 1)); total=$((total + mib))
        head -c "$((mib << 20))" /dev/urandom > "$dir/data-$n.bin"
    done
    mkfs.ext4 -q -F -L smlabdata -d "$dir" "$img" "$((total + 32))M" > /dev/null
    rm -rf "$dir"
    echo "$GUEST_DISK_FILES_MIB" > "$stamp"
}

# xl and the daemons, their libraries, and libgcc_s.so.1, which glibc loads at run time for
# pthread_cancel (ldd does not list it, and xl aborts without it).
add_toolstack() { # ROOT
    local root=$1 tool libgcc
    for tool in $DOM0_XEN_TOOLS; do copy_with_libs "$root" "$XEN_LIBEXEC/bin/$tool"; done
    # for the disk's hotplug script (block-lab)
    copy_with_libs "$root" /usr/bin/xenstore-read
    copy_with_libs "$root" /usr/bin/xenstore-write
    # for the failure steps (a guest that cannot read its suspend request)
    copy_with_libs "$root" /usr/bin/xenstore-ls
    copy_with_libs "$root" /usr/bin/xenstore-chmod
    # awk reads to the end: an early exit would give ldconfig SIGPIPE, and pipefail a failure.
    libgcc=$(ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ && !found { found = $NF } END { print found }')
    [[ -n $libgcc ]] || die "libgcc_s.so.1 not found"
    mkdir -p "$root$(dirname "$libgcc")"
    cp -L "$libgcc" "$root$libgcc"
    mkdir -p "$root/etc/xen" "$root/var/lib/xen" "$root/var/lib/xenstored" "$root/var/log/xen/console"
    [[ -f /etc/xen/xl.conf ]] && cp /etc/xen/xl.conf "$root/etc/xen/"
    echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
    echo "root:x:0:" > "$root/etc/group"
}

# LAB_HVM set: what libxl needs in dom0 to start an HVM guest: its QEMU device model (Debian's
# qemu-system-xen) with its libraries and data (option ROMs, among them the one that boots a kernel
# directly), hvmloader, and SeaBIOS, at the paths libxl was built with.
add_device_model() { # ROOT
    local root=$1
    copy_with_libs "$root" /usr/libexec/xen-qemu-system-i386
    mkdir -p "$root$XEN_LIBEXEC/boot" "$root/usr/share" "$root/var/run/xen"
    cp "$XEN_LIBEXEC/boot/hvmloader" "$root$XEN_LIBEXEC/boot/"
    cp -rL /usr/share/qemu /usr/share/seabios "$root/usr/share/"
}

# The modules dom0 loads, with their dependencies, and the index files modprobe reads.
add_modules() { # ROOT
    local root=$1 module file moddir=/lib/modules/$KERNEL_VERSION
    for module in $DOM0_MODULES; do
        for file in $(modprobe -S "$KERNEL_VERSION" --show-depends "$module" | awk '$1 == "insmod" { print $2 }'); do
            mkdir -p "$root$(dirname "$file")"
            cp "$file" "$root$file"
        done
    done
    cp "$moddir"/modules.{dep,dep.bin,alias,alias.bin,builtin,builtin.bin,builtin.modinfo,order,symbols,symbols.bin} \
        "$root$moddir/"
}

# The settings dom0 reads at boot; baked into the image so no command line has to carry them.
write_dom0_config() { # ROOT
    cat > "$1/lab/config.env" <<CONFIG
LAB_REPO='$REPO_ROOT'
LAB_OUT='$LAB_DIR'
LAB_HOST_RESULTS='$RESULTS_DIR'
LAB_PROBE='$LAB_DIR/bin/xen-probe'
LAB_JAVA_HOME='$LAB_JAVA_HOME'
LAB_JAVA_OPTS='$LAB_JAVA_OPTS'
LAB_SONIC_JAVA_OPTS='$LAB_SONIC_JAVA_OPTS'
LAB_JAVA_TIMEOUT=$LAB_JAVA_TIMEOUT
LAB_XEN_BIN='$XEN_LIBEXEC/bin'
LAB_MODE='$LAB_MODE'
LAB_STEPS='$LAB_STEPS'
LAB_COMPARE_RUNS=$LAB_COMPARE_RUNS
LAB_HVM='$LAB_HVM'
LAB_HVM_ONLY=$LAB_HVM_ONLY
LAB_STRESS_PLAN='$LAB_STRESS_PLAN'
LAB_STRESS_SECONDS=$LAB_STRESS_SECONDS
LAB_SYSTEM_MAP='/boot/System.map-$KERNEL_VERSION'
LAB_GUEST_DISK='$LAB_DIR/guest-disk.img'
CONFIG
    cp "$JAVA_CHECKS_FILE" "$1/lab/java-checks.txt"
}

add_lab_scripts() { # ROOT
    local root=$1
    mkdir -p "$root/lab" "$root/guest"
    install -m 755 "$LAB_SRC/dom0/init" "$root/init"
    install -m 644 "$LAB_SRC/dom0/lib.sh" "$LAB_SRC/dom0/steps.sh" "$LAB_SRC/dom0/stress.sh" "$root/lab/"
    # the guest's configuration, with the experiment's kernel words and vCPU count when set
    sed -e "s/^extra = \"\(.*\)\"/extra = \"\1${LAB_GUEST_EXTRA:+ $LAB_GUEST_EXTRA}\"/" \
        -e "s/^vcpus = .*/vcpus = $LAB_GUEST_VCPUS/" "$LAB_SRC/guest/domu.cfg" > "$root/lab/domu.cfg"
    # the busier guest of the sonic-save step: the same, with a process rewriting 24 MiB all the time
    sed -e 's/^extra = "\(.*\)"/extra = "\1 smlab.busy=24"/' "$root/lab/domu.cfg" > "$root/lab/domu-busy.cfg"
    # the guest worth migrating (guest/domu-sonic.cfg.in): its disk's hotplug script lives at the same
    # path in dom0 and in the chroot (the host's LAB_DIR), since xl migrate-receive runs in the chroot
    sed -e "s|@BLOCK_SCRIPT@|$LAB_DIR/block-lab|" \
        -e "s/^extra = \"\(.*\)\"/extra = \"\1${LAB_GUEST_EXTRA:+ $LAB_GUEST_EXTRA}\"/" \
        -e "s/^vcpus = .*/vcpus = $LAB_GUEST_VCPUS/" -e "s/^memory = .*/memory = $LAB_SONIC_MIB/" \
        "$LAB_SRC/guest/domu-sonic.cfg.in" > "$root/lab/domu-sonic.cfg"
    install -m 755 "$LAB_SRC/dom0/block-lab" "$LAB_DIR/block-lab"
    mkdir -p "$root$LAB_DIR"
    install -m 755 "$LAB_SRC/dom0/block-lab" "$root$LAB_DIR/block-lab"
    install -m 755 "$LAB_SRC/dom0/ssh-tee" "$root/lab/ssh-tee"
    cp "$KERNEL_IMAGE" "$root/guest/vmlinuz"
    cp "$LAB_DIR/guest.cpio.gz" "$root/guest/initrd.cpio.gz"
    hvm_config "$root" domu.cfg domu-hvm.cfg
    hvm_config "$root" domu-sonic.cfg domu-sonic-hvm.cfg
    nopv_config "$root" domu-hvm.cfg domu-nopv-hvm.cfg
    write_dom0_config "$root"
}

# The HVM twin (for the HVM steps) of a guest's configuration in ROOT/lab: the same kernel booted directly by
# QEMU's option ROM after hvmloader and SeaBIOS, its console still Xen's PV console (Linux finds it
# through the platform device). QEMU opens the kernel and ramdisk files even when it starts for an
# incoming migration, and the receiving xl runs in the host chroot: so the files are named by their
# host paths, which dom0 has too, as links to its own copies. Usage: hvm_config ROOT FROM TO
hvm_config() {
    local root=$1
    mkdir -p "$root$(dirname "$KERNEL_IMAGE")"
    ln -sf /guest/vmlinuz "$root$KERNEL_IMAGE"
    ln -sf /guest/initrd.cpio.gz "$root$LAB_DIR/guest.cpio.gz"
    sed -e 's/^type = .*/type = "hvm"/' -e "s|^kernel = .*|kernel = \"$KERNEL_IMAGE\"|" \
        -e "s|^ramdisk = .*|ramdisk = \"$LAB_DIR/guest.cpio.gz\"|" "$root/lab/$2" > "$root/lab/$3"
    printf '%s\n' 'vga = "none"' 'nographic = 1' 'serial = "none"' 'device_model_version = "qemu-xen"' >> "$root/lab/$3"
}

# The HVM guest as an HVM guest without PV drivers is (an OS without Xen's drivers, e.g. Windows without
# them): Linux with nopv ignores Xen, so it never sets up Xen's event callback and toolstacks must
# suspend it through the hypervisor. Its console is the emulated serial port, which QEMU writes to a
# file where the lab reads consoles (/var/log/xen is the same directory in dom0 and in the chroot
# where the receiving xl runs). Usage: nopv_config ROOT FROM TO
nopv_config() {
    local root=$1
    sed -e 's/^extra = .*/extra = "console=ttyS0 nopv smlab.console=ttyS0 quiet"/' \
        -e 's|^serial = .*|serial = "file:/var/log/xen/console/guest-domu-serial.log"|' "$root/lab/$2" > "$root/lab/$3"
    grep -q '^serial = "file:' "$root/lab/$3" || die "nopv_config: $2 has no serial line to replace"
    grep -q '^extra = .*nopv' "$root/lab/$3" || die "nopv_config: $2 has no extra line to replace"
}

# Fails early (seconds, not a boot) if a script does not parse or a tool misses a library.
check_dom0_root() { # ROOT
    local root=$1 script tool missing
    for script in init lab/lib.sh lab/steps.sh lab/stress.sh lab/ssh-tee "$LAB_DIR/block-lab"; do
        chroot "$root" /bin/sh -n "/$script" || die "dom0 script $script does not parse"
    done
    for tool in $DOM0_XEN_TOOLS; do
        missing=$(chroot "$root" /lib64/ld-linux-x86-64.so.2 --list "$XEN_LIBEXEC/bin/$tool" 2>&1 |
            grep 'not found' || true)
        [[ -z $missing ]] || die "$tool misses libraries in the dom0 image: $missing"
    done
}

build_dom0_initramfs() {
    local root=$LAB_DIR/$BUILD_DIR_NAME/dom0-root
    new_busybox_root "$root"
    add_toolstack "$root"
    if [[ -n $LAB_HVM ]]; then add_device_model "$root"; fi
    add_modules "$root"
    add_lab_scripts "$root"
    check_dom0_root "$root"
    pack_cpio "$root" "$LAB_DIR/dom0.cpio.gz"
}

build_images() {
    mkdir -p "$LAB_DIR/$BUILD_DIR_NAME" "$RESULTS_DIR"
    build_xen_image
    build_probe
    compile_java_checks
    build_sonic_cds_archive
    build_guest_module
    build_guest_initramfs
    build_guest_disk
    build_dom0_initramfs
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    source "$(dirname "$0")/lib/env.sh"
    check_settings
    resolve_kernel
    build_images
    ls -l "$LAB_DIR"/xen "$LAB_DIR"/*.cpio.gz "$LAB_DIR"/bin/xen-probe
fi
