#!/usr/bin/env bash
# Builds the self-contained distribution dist/sonic: a jlink'ed Java runtime with only the modules
# sonic uses, the application, the launcher bin/sonic (and bin/xl-sonic), bash and zsh completion and
# the man pages, all generated from the commands. The result runs on a dom0 without Maven or a JDK:
#   tar -C dist -czf sonic.tar.gz sonic      # then on the host: tar -C /opt -xzf sonic.tar.gz
# SONIC_DIST_SKIP_BUILD=1 uses the cli/target/sonic.jar already built.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}
jdk="$JAVA_HOME/bin"
if [ "${SONIC_DIST_SKIP_BUILD:-}" != 1 ]; then
  mvn -B -q ${MAVEN_OFFLINE:+-o} -DskipTests package -pl cli -am
fi
jar=cli/target/sonic.jar
out=dist/sonic
rm -rf "$out"
mkdir -p "$out/bin" "$out/lib" "$out/share/bash-completion/completions" "$out/share/zsh/site-functions" \
  "$out/share/man/man1" "$out/share/doc/sonic"

# The runtime: the modules the application needs, as jdeps finds them (the shaded jar holds every library).
modules=$("$jdk/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps "$jar")
# jdk.zipfs: reading .gz profiles; java.naming: logback's optional JNDI; jdk.unsupported: sun.misc.Signal,
# which SignalStop reaches by reflection (so jdeps cannot see it): without it SIGINT/SIGTERM would end
# the packaged sonic at once instead of rolling the migration back.
"$jdk/jlink" --add-modules "$modules,jdk.zipfs,java.naming,jdk.unsupported" --strip-debug --no-header-files --no-man-pages \
  --compress zip-6 --generate-cds-archive --output "$out/runtime"
cp "$jar" "$out/lib/sonic.jar"

cat > "$out/bin/sonic" <<'LAUNCHER'
#!/bin/sh
# sonic from its distribution: the bundled runtime, no JDK or Maven needed.
here=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cds=
if [ -f "$here/lib/sonic.jsa" ]; then cds="-XX:SharedArchiveFile=$here/lib/sonic.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"; fi
exec "$here/runtime/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC $cds ${SONIC_JAVA_OPTS:-} \
  -jar "$here/lib/sonic.jar" "$@"
LAUNCHER
chmod 755 "$out/bin/sonic"
cp bin/xl-sonic "$out/bin/xl-sonic"

# A class-data archive of a short run: the launcher starts in about half the time.
"$out/runtime/bin/java" --enable-native-access=ALL-UNNAMED -XX:ArchiveClassesAtExit="$out/lib/sonic.jsa" \
  -jar "$jar" simulate --memory 64M --quiet >/dev/null 2>&1 || echo "dist: no class-data archive (the launcher still works)"

# Completion and man pages, from the commands themselves: picocli's AutoComplete writes the bash script
# (zsh runs it through bashcompinit), picocli-codegen's ManPageGenerator AsciiDoc for sonic and every
# subcommand; asciidoctor (Debian package asciidoctor) renders them to roff. Without it the AsciiDoc ships.
cat > "$out/share/zsh/site-functions/_sonic" <<'ZSH'
#compdef sonic
# zsh completion for sonic: picocli's bash completion through zsh's bashcompinit.
autoload -U +X bashcompinit && bashcompinit
source "${0:A:h}/../../bash-completion/completions/sonic"
ZSH

codegen=$(find "${HOME}/.m2/repository/info/picocli/picocli-codegen" -name 'picocli-codegen-*.jar' 2>/dev/null | sort | tail -1)
if [ -z "$codegen" ]; then
  mvn -B -q dependency:get -Dartifact=info.picocli:picocli-codegen:4.7.7 -Dtransitive=false
  codegen=$(find "${HOME}/.m2/repository/info/picocli/picocli-codegen" -name 'picocli-codegen-*.jar' | sort | tail -1)
fi
adoc="$out/share/doc/sonic/man"
mkdir -p "$adoc"
"$jdk/java" --enable-native-access=ALL-UNNAMED -cp "$jar:$codegen" scripts/DistDocs.java \
  "$out/share/bash-completion/completions/sonic" "$adoc" >/dev/null
if command -v asciidoctor >/dev/null; then
  asciidoctor -b manpage -D "$out/share/man/man1" "$adoc"/*.adoc
  man_note="man pages in share/man/man1 (roff)"
else
  rmdir "$out/share/man/man1" "$out/share/man"
  man_note="man pages as AsciiDoc in share/doc/sonic/man (install asciidoctor to render them to roff)"
fi
cp README.md "$out/share/doc/sonic/README.md"
echo "dist: $out ($(du -sh "$out" | cut -f1)): bin/sonic, bin/xl-sonic, runtime ($modules), completion, $man_note"
