#!/usr/bin/env bash
# proxy-inspect's parser + drift check at scale: generated iptables-save dumps (kube-proxy iptables mode,
# 5 endpoints per service, `iptables-save -c` counters) for 1k/5k/10k/20k services — 10k services / 50k
# endpoints ≈ 160k rules — parsed and cross-checked against the matching API objects, best of three runs
# per size after a JIT warm-up. Pure Java (io.k8scap.proxy.IptablesBench): no root, no lab.
# Usage: bench/proxy-inspect.sh [SERVICES...]     (default: 1000 5000 10000 20000)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$here" && mvn -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" >/dev/null)
echo "# $(nproc) cores, $(java -version 2>&1 | head -n 1)"
exec java -Xmx2g -cp "$here/target/test-classes:$here/target/classes:$(cat "$work/cp")" io.k8scap.proxy.IptablesBench "$@"
