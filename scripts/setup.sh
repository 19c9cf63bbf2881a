#!/usr/bin/env bash
# Installs what building, testing and the Xen lab need on a fresh Debian 12 machine, then builds.
# Idempotent: a second run installs nothing and only rebuilds what changed. Installing needs root
# (directly, or through sudo from another account); building runs as whoever runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/privileges.sh

export JAVA_HOME=${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ ! -x "$JAVA_HOME/bin/javac" ]; then
  echo "setup: JDK 25 not found at $JAVA_HOME (set JAVA_HOME_25)" >&2
  exit 1
fi

# Debian packages: Maven, gcc + Xen headers/libraries (bindings proof), asciidoctor (the man pages of
# scripts/dist.sh), OpenSSH (the test of migrating over ssh runs a real sshd), and what the Xen lab boots.
packages=(maven gcc libc6-dev libxen-dev python3 asciidoctor openssh-server openssh-client)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Xen's own stream checker (verify-stream-v2), unpacked without installing the Xen toolstack.
xen_utils=${SONIC_XEN_UTILS:-/opt/xen-utils}
if [ ! -f "$xen_utils/usr/lib/xen-4.17/bin/verify-stream-v2" ]; then
  as_root sh xen-bridge/src/test/scripts/install-xen-utils.sh "$xen_utils"
fi

if [ "${SONIC_SKIP_BUILD:-}" != 1 ]; then
  echo "setup: building (mvn package)"
  mvn -B -q -DskipTests package
fi
