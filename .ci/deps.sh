#!/bin/sh
# deps.sh [--fuzz|--bench] - installs the Debian packages crashdesk needs, only
# those missing. Costs one dpkg-query on a ready machine.
set -e
pkgs="gcc make pkg-config libncurses-dev libsqlite3-dev libjansson-dev libyaml-dev libcurl4-openssl-dev zlib1g-dev libpcre2-dev libcapstone-dev nettle-dev tmux python3"
[ "$1" = "--fuzz" ] && pkgs="$pkgs clang libclang-rt-14-dev"
[ "$1" = "--bench" ] && pkgs="$pkgs time"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "crashdesk needs these Debian packages:$missing" >&2
	echo "run: sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
# Refresh the package lists when they are missing or older than a week.
lists=/var/lib/apt/lists
if ! ls "$lists"/*_Packages* >/dev/null 2>&1 ||
   [ -n "$(find "$lists" -maxdepth 1 -name '*_Packages*' -mtime +7 | head -1)" ]; then
	echo "deps: apt-get update" >&2
	apt-get update -qq
fi
echo "deps: installing$missing" >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
