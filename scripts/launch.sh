#!/usr/bin/env bash
# Install the pinned runtime dependencies and launch the app on the shipped default model.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_python.sh
"$PY" -m pip install -q -r requirements.txt
exec "$PY" -m streamlit run app.py --server.headless true --browser.gatherUsageStats false "$@"
