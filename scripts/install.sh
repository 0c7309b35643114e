#!/usr/bin/env bash
# Builds k8scap and installs it into PREFIX (default /usr/local, or ~/.local when not root):
#   PREFIX/bin/k8scap            the launcher
#   PREFIX/bin/kubectl-k8scap    the same, as a kubectl plugin (kubectl k8scap …)
#   PREFIX/bin/kubectl_complete-k8scap   completes `kubectl k8scap <TAB>` (kubectl 1.26+)
#   PREFIX/lib/k8scap/           k8scap.jar, the class-data-sharing archive, the Java it was made for
# Installs Java 17 and Maven from Debian/Ubuntu packages when missing (needs root for that).
# Usage: scripts/install.sh [--prefix DIR] [--skip-build]
# Environment: K8SCAP_JAVA=/path/to/java to run k8scap on another JDK (e.g. a JDK 25 for its AOT cache).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
prefix=
build=1
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --skip-build) build=0; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$prefix" ]; then
  if [ "$(id -u)" -eq 0 ]; then prefix=/usr/local; else prefix=$HOME/.local; fi
fi

need_pkgs=()
command -v javac >/dev/null 2>&1 || need_pkgs+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need_pkgs+=(maven)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: missing ${need_pkgs[*]}; run as root or install them (apt-get install ${need_pkgs[*]})" >&2
    exit 3
  fi
  echo "installing ${need_pkgs[*]} from the distribution's packages" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

if [ "$build" -eq 1 ]; then
  echo "building k8scap (mvn package)" >&2
  (cd "$here" && mvn -q -B -DskipTests -Dmaven.test.skip=true package)
fi
jar=$here/target/k8scap.jar
[ -f "$jar" ] || { echo "install.sh: $jar is missing; build failed?" >&2; exit 1; }

lib=$prefix/lib/k8scap
mkdir -p "$prefix/bin" "$lib"
install -m 0644 "$jar" "$lib/k8scap.jar"
install -m 0755 "$here/bin/k8scap" "$prefix/bin/k8scap"
ln -sf k8scap "$prefix/bin/kubectl-k8scap"
install -m 0755 "$here/bin/kubectl_complete-k8scap" "$prefix/bin/kubectl_complete-k8scap"

java=${K8SCAP_JAVA:-$(command -v java)}
java=$(readlink -f "$java")
printf '%s\n' "$java" > "$lib/java"
rm -f "$lib/k8scap.jsa" "$lib/k8scap.aot"

# Class-data sharing: record the classes a real run loads, then archive them. The training
# (io.k8scap.startup.Training) runs capture, locate and help in-process against a Kubernetes API on
# loopback serving one pod and node, up to an SSH connection refused by a closed loopback port,
# then loads what an SSH session needs. No cluster or node is contacted.
feature=$("$java" -XX:+PrintFlagsFinal -version 2>/dev/null | grep -c 'AOTCacheOutput' || true)
if [ "$feature" -gt 0 ]; then
  flag=(-XX:AOTCacheOutput="$lib/k8scap.aot")
  kind="AOT cache"
else
  flag=(-XX:ArchiveClassesAtExit="$lib/k8scap.jsa")
  kind="AppCDS archive"
fi
"$java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "${flag[@]}" -cp "$lib/k8scap.jar" io.k8scap.startup.Training >/dev/null 2>&1 || true
if [ -f "$lib/k8scap.aot" ] || [ -f "$lib/k8scap.jsa" ]; then
  echo "made the $kind for $java" >&2
else
  echo "warning: no class-data-sharing archive could be made with $java; k8scap starts slower" >&2
fi

echo "installed $("$prefix/bin/k8scap" --version) into $prefix/bin (kubectl plugin: kubectl k8scap)" >&2
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "note: $prefix/bin is not on your PATH; add it: export PATH=\"$prefix/bin:\$PATH\"" >&2 ;;
esac
