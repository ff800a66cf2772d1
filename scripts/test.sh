#!/usr/bin/env bash
# Install what the tests need (pinned) and run the whole suite. Used by the README and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_python.sh
"$PY" -m pip install -q -r requirements-dev.txt
# the project itself, editable: `import aeot_viz` and the aeot-viz command then work from any folder
"$PY" -m pip install -q --no-deps --no-build-isolation -e .
# the browser test drives Debian's Chromium (never a downloaded browser build)
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  ($SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium) >/dev/null 2>&1 \
    || echo "warning: could not install chromium; the browser test will be skipped" >&2
fi
# the model store's tests start their own PostgreSQL server from Debian's binaries (initdb, pg_ctl)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  ($SUDO apt-get update -qq && $SUDO apt-get install -y -qq postgresql) >/dev/null 2>&1 \
    || echo "warning: could not install postgresql; the PostgreSQL store tests will be skipped" >&2
fi
set +e
"$PY" -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing, since a run without tests proves nothing" >&2
  exit 1
fi
exit "$rc"
