#!/usr/bin/env bash
# Makes sure redis-server (Debian's package) is on PATH: the tests that
# make claims about the shared store run against a real one
# (internal/redistest). As root it installs the package; otherwise it
# prints the one command to run and fails. It never skips.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
	exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "Installing redis-server (Debian package) for the shared-store tests"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q redis-server >/dev/null 2>&1 || {
		apt-get update -q >/dev/null
		apt-get install -y -q redis-server >/dev/null
	}
	# The package may try to start a service: the tests start their own.
	command -v redis-server >/dev/null && exit 0
fi
echo "redis-server is required by the tests: run  sudo apt-get install -y redis-server" >&2
exit 1
