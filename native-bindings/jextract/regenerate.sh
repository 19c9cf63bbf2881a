#!/usr/bin/env bash
# Regenerates the FFM bindings in ../src/main/java/org/sonicmigration/ffi from the *.args files here,
# one jextract run per arg file (each names its header class, library and included symbols).
#
#   JEXTRACT=/path/to/jextract ./regenerate.sh      (default: jextract on PATH)
#
# Needs jextract for JDK 25 (https://jdk.java.net/jextract/) and the Xen 4.17 headers
# (apt-get install libxen-dev). Afterwards run the native-bindings tests: the drift test checks the
# classes against the arg files, the layout proof compiles every layout/constant/signature with gcc.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
target="$here/../src/main/java/org/sonicmigration/ffi"
jextract=${JEXTRACT:-jextract}

if ! command -v "$jextract" >/dev/null 2>&1; then
    echo "regenerate.sh: jextract not found ('$jextract'): install a jextract build for JDK 25 from" \
         "https://jdk.java.net/jextract/ and put it on PATH or set JEXTRACT; nothing was changed." >&2
    exit 2
fi
if [ ! -r /usr/include/xenctrl.h ] || [ ! -r /usr/include/libxl.h ]; then
    echo "regenerate.sh: Xen 4.17 headers missing (/usr/include/xenctrl.h): apt-get install libxen-dev;" \
         "nothing was changed." >&2
    exit 2
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$here"   # the arg files name local wrapper headers (libc.h, xenguest-with-deps.h, xenctrl-with-private.h) relatively
for args in *.args; do
    echo "jextract @$args"
    "$jextract" --output "$out" "@$args"
done

generated="$out/org/sonicmigration/ffi"
# Hand-kept files: package-info.java and every struct an arg file declares "#:opaque".
keep=(package-info)
while read -r name; do keep+=("$name"); done < <(sed -n 's/^#:opaque[[:space:]]\+\([A-Za-z0-9_]\+\).*/\1/p' ./*.args)

for f in "$target"/*.java; do
    base=$(basename "$f" .java)
    if [[ " ${keep[*]} " != *" $base "* ]]; then
        rm "$f"
    fi
done
cp "$generated"/*.java "$target"/
echo "regenerated $(ls "$generated" | wc -l) classes into $target; now run: mvn -pl native-bindings verify"
