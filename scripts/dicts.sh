#!/usr/bin/env bash
# dicts.sh installs the bilingual dictionaries that dalil's lexicon package
# reads for offline cross-lingual search: Debian's FreeDict packages for
# English<->French and English<->Arabic, in /usr/share/dictd.
#
# Usage: scripts/dicts.sh
#
# Idempotent: a no-op when the four dictionaries are there. The data are GPL
# and read at run time (DICTIONARIES_DIR); nothing is copied into the
# repository. Without apt (or root), it says so on one line and exits 0:
# dalil works without dictionaries, searching in the question's language.
set -euo pipefail

readonly DIR=/usr/share/dictd
readonly NAMES=(eng-fra fra-eng eng-ara ara-eng)

log() { printf 'dicts: %s\n' "$*" >&2; }

missing=()
for n in "${NAMES[@]}"; do
	if [[ ! -f $DIR/freedict-$n.index || ! -f $DIR/freedict-$n.dict.dz ]]; then
		missing+=("dict-freedict-$n")
	fi
done
if ((${#missing[@]} == 0)); then
	exit 0
fi

# Root runs apt-get itself; anyone else through sudo.
sudo=()
if ((EUID != 0)); then sudo=(sudo); fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v "${sudo[@]:-true}" >/dev/null 2>&1; then
	log "cannot install ${missing[*]} (needs apt-get as root); continuing without them: questions are searched in their own language only"
	exit 0
fi
as_root() { "${sudo[@]}" "$@"; }

install() {
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
log "apt-get install -y ${missing[*]}"
if ! install 2>/dev/null; then
	log "apt-get update, then retrying"
	if ! as_root apt-get update -qq >/dev/null || ! install; then
		log "could not install ${missing[*]}; continuing without them: questions are searched in their own language only"
		exit 0
	fi
fi
log "installed in $DIR"
