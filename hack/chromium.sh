#!/usr/bin/env bash
# Debian's Chromium for the chat page's browser test (hack/demo). Installed
# with apt when missing and run as root (CI, this project's machines);
# otherwise it says the one command to run and fails: the test never skips.
set -euo pipefail
chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "Chromium is needed for the chat page's browser test (hack/demo). Install it and run make again:" >&2
	echo "    sudo apt-get install -y chromium fonts-liberation" >&2
	echo "(or set CHROMIUM to a Chromium binary)" >&2
	exit 1
fi
command -v apt-get >/dev/null || { echo "Chromium is missing and this is not a Debian machine (no apt-get): install Chromium and set CHROMIUM to it." >&2; exit 1; }
echo "Installing Debian's chromium (the chat page's browser test)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-liberation >/dev/null
[ -x "$chromium" ] || { echo "apt-get installed chromium but $chromium is not there" >&2; exit 1; }
