#!/usr/bin/env bash
# chromium.sh installs Debian's chromium, in which the admin page's browser
# test (admin/browser_test.go) loads the page headless and reads its DOM.
#
# Usage: scripts/chromium.sh
#
# Idempotent: a no-op when chromium is on PATH. Without apt (or root), it
# says so on one line and exits 0 (scripts/debs.sh): the browser test then
# skips, saying why.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
	exit 0
fi
exec "$(dirname "${BASH_SOURCE[0]}")/debs.sh" chromium "the admin page's browser test is skipped" chromium
