#!/usr/bin/env bash
# dicts.sh installs the bilingual dictionaries that dalil's lexicon package
# reads for offline cross-lingual search: Debian's FreeDict packages for
# English<->French and English<->Arabic, in /usr/share/dictd.
#
# Usage: scripts/dicts.sh
#
# Idempotent: a no-op when the four dictionaries are there. The data are GPL
# and read at run time (DICTIONARIES_DIR); nothing is copied into the
# repository. Without apt (or root), it says so on one line and exits 0
# (scripts/debs.sh): dalil works without dictionaries, searching in the
# question's language.
set -euo pipefail

readonly DIR=/usr/share/dictd
readonly NAMES=(eng-fra fra-eng eng-ara ara-eng)

missing=()
for n in "${NAMES[@]}"; do
	if [[ ! -f $DIR/freedict-$n.index || ! -f $DIR/freedict-$n.dict.dz ]]; then
		missing+=("dict-freedict-$n")
	fi
done
if ((${#missing[@]} == 0)); then
	exit 0
fi
exec "$(dirname "${BASH_SOURCE[0]}")/debs.sh" dicts "questions are searched in their own language only" "${missing[@]}"
