#!/usr/bin/env bash
# Usage: hack/debian-package.sh COMMAND PACKAGE [PACKAGE...] -- WHY
#
# Makes sure COMMAND is on PATH for a test that runs the real thing
# (redis-server, chromium, npm): as root with apt-get it installs the Debian
# PACKAGEs; otherwise it prints the one command to run and fails. It never
# lets a test skip.
set -euo pipefail
cmd=$1
shift
pkgs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	pkgs+=("$1")
	shift
done
[ "${1:-}" = "--" ] && shift
why=${*:-the tests}
if command -v "$cmd" >/dev/null 2>&1; then
	exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "Installing ${pkgs[*]} (Debian) for $why"
	export DEBIAN_FRONTEND=noninteractive
	# A package may try to start a service: the tests start their own.
	apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/dev/null 2>&1 || {
		apt-get update -q >/dev/null
		apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/dev/null
	}
	command -v "$cmd" >/dev/null 2>&1 && exit 0
	echo "installed ${pkgs[*]} but $cmd is still not on PATH" >&2
	exit 1
fi
echo "$cmd is required by $why: run  sudo apt-get install -y ${pkgs[*]}" >&2
exit 1
