#!/usr/bin/env bash
# Install the pinned runtime dependencies and launch the app on the shipped default model.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_python.sh
"$PY" -m pip install -q -r requirements.txt
# the project itself, editable: `import aeot_viz` and the aeot-viz command then work from any folder
"$PY" -m pip install -q --no-deps --no-build-isolation -e .
exec "$PY" -m streamlit run app.py --server.headless true --browser.gatherUsageStats false "$@"
