#!/usr/bin/env bash
# debs.sh installs Debian packages that dalil's tests use, with apt-get as
# root (or through sudo): scripts/dicts.sh and scripts/chromium.sh call it
# with what is missing.
#
# Usage: scripts/debs.sh NAME WITHOUT PACKAGE...
#
# NAME prefixes its messages; WITHOUT says what is lost when the packages
# cannot be installed. It always exits 0: dalil and its tests work without
# them (a test that needs one skips, saying so). It tries apt-get install
# first, and apt-get update only when that fails.
set -euo pipefail

if (($# < 3)); then
	echo "usage: $0 NAME WITHOUT PACKAGE..." >&2
	exit 2
fi
readonly name=$1 without=$2
shift 2
readonly packages=("$@")

log() { printf '%s: %s\n' "$name" "$*" >&2; }

# Root runs apt-get itself; anyone else through sudo.
sudo=()
if ((EUID != 0)); then sudo=(sudo); fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v "${sudo[@]:-true}" >/dev/null 2>&1; then
	log "cannot install ${packages[*]} (needs apt-get as root); continuing without them: $without"
	exit 0
fi
as_root() { "${sudo[@]}" "$@"; }

install() {
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
}
log "apt-get install -y ${packages[*]}"
if ! install 2>/dev/null; then
	log "apt-get update, then retrying"
	if ! as_root apt-get update -qq >/dev/null || ! install; then
		log "could not install ${packages[*]}; continuing without them: $without"
		exit 0
	fi
fi
log "installed ${packages[*]}"
