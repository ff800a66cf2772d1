"""Solve the Playground's opening drawing (the ring preset, 500 points, seed 0) once and ship it.

    python scripts/build_playground_default.py

The page recognises that exact drawing (by its bytes) and loads this bundle instead of solving it, so the first
visitor of a fresh server does not wait for the solve. Any other drawing is solved live.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aeot_viz.data.drawing import preset  # noqa: E402
from aeot_viz.pipeline.bundle import save_bundle  # noqa: E402
from aeot_viz.pipeline.playground import DEFAULT_DRAWING, DEFAULT_MODEL_PATH, fit_drawing  # noqa: E402

if __name__ == "__main__":
    X = preset(*DEFAULT_DRAWING)[0]
    print(save_bundle(fit_drawing(X, random_state=0), DEFAULT_MODEL_PATH))
