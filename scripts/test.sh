#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this), on a Debian/Ubuntu machine as root:
#   1. installs Java 17 and Maven when missing,
#   2. sets up the lab (scripts/lab.sh up: docker, containerd, runc, sshd, tcpdump, tshark, lab pods…),
#   3. runs unit, command, lab and black-box tests (mvn verify),
#   4. tears the lab down again, whatever happened.
# Usage: sudo scripts/test.sh [extra maven args, e.g. -Dtest=LocateCommandTest]
# Without root the lab cannot be built: only the tests that need no lab run, and it says so.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

if [ "$(id -u)" -ne 0 ]; then
  echo "test.sh: not root: running the tests that need no lab only (sudo scripts/test.sh runs them all)" >&2
  exec mvn -B verify "$@"
fi

need_pkgs=()
command -v javac >/dev/null 2>&1 || need_pkgs+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need_pkgs+=(maven)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

teardown() { "$here/scripts/lab.sh" down >&2 || echo "test.sh: lab teardown reported a problem (see above)" >&2; }
trap teardown EXIT
"$here/scripts/lab.sh" up >&2

mvn -B verify -Dk8scap.test.excludedGroups= "$@"
