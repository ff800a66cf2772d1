#!/usr/bin/env bash
# Install what the tests need (pinned) and run the whole suite. Used by the README and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_python.sh
"$PY" -m pip install -q -r requirements-dev.txt
set +e
"$PY" -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing, since a run without tests proves nothing" >&2
  exit 1
fi
exit "$rc"
