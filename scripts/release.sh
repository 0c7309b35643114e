#!/usr/bin/env bash
# Builds the release archive and its krew plugin manifest:
#   target/release/k8scap-VERSION.tar.gz   k8scap-VERSION/{bin/k8scap, bin/kubectl_complete-k8scap, lib/k8scap/k8scap.jar, README.md, LICENSE}
#   target/release/k8scap.yaml             the krew manifest (scripts/krew/k8scap.yaml), sha256 of that archive
# Install it as a kubectl plugin with krew (no download: --archive is used as is):
#   kubectl krew install --manifest=target/release/k8scap.yaml --archive=target/release/k8scap-VERSION.tar.gz
# Usage: scripts/release.sh [--skip-build] [--out DIR] [--base-url URL]
#   --base-url  where the archive will be published (the manifest's uri is URL/k8scap-VERSION.tar.gz);
#               default: a file:// URL of the archive built here, enough for --archive installs.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
out=$here/target/release
build=1
base_url=
while [ $# -gt 0 ]; do
  case $1 in
    --skip-build) build=0; shift ;;
    --out) out=$2; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    --base-url) base_url=$2; shift 2 ;;
    --base-url=*) base_url=${1#--base-url=}; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "release.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$build" -eq 1 ]; then
  echo "building k8scap (mvn package)" >&2
  (cd "$here" && mvn -q -B -DskipTests -Dmaven.test.skip=true package)
fi
jar=$here/target/k8scap.jar
[ -f "$jar" ] || { echo "release.sh: $jar is missing; build it (mvn package) or drop --skip-build" >&2; exit 1; }

# The version the jar reports about itself (its manifest's Implementation-Version).
version=$(unzip -p "$jar" META-INF/MANIFEST.MF | sed -n 's/^Implementation-Version: *\([^[:space:]]*\).*/\1/p' | head -n 1)
case $version in
  ''|*[!A-Za-z0-9.+-]*) echo "release.sh: cannot read a version from $jar's manifest (got '$version')" >&2; exit 1 ;;
esac

mkdir -p "$out"
out=$(cd "$out" && pwd)
name=k8scap-$version
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/bin" "$stage/$name/lib/k8scap"
install -m 0755 "$here/bin/k8scap" "$here/bin/kubectl_complete-k8scap" "$stage/$name/bin/"
install -m 0644 "$jar" "$stage/$name/lib/k8scap/k8scap.jar"
install -m 0644 "$here/README.md" "$here/LICENSE" "$stage/$name/"

# The same inputs give the same bytes (sorted names, fixed owner and time, gzip without a name or
# time), so the sha256 in the manifest names this content, not the moment it was packed.
archive=$out/$name.tar.gz
mtime=$(git -C "$here" log -1 --format=%ct 2>/dev/null || echo 0)
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -cf - "$name" | gzip -n -9 > "$archive"
sha=$(sha256sum "$archive" | cut -d' ' -f1)

uri=${base_url:+${base_url%/}/$name.tar.gz}
uri=${uri:-file://$archive}
sed -e '/^# /d' -e "s|@VERSION@|$version|g" -e "s|@URI@|$uri|g" -e "s|@SHA256@|$sha|g" \
  "$here/scripts/krew/k8scap.yaml" > "$out/k8scap.yaml"

echo "archive:  $archive (sha256 $sha)" >&2
echo "manifest: $out/k8scap.yaml" >&2
echo "install:  kubectl krew install --manifest=$out/k8scap.yaml --archive=$archive" >&2
