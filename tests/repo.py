"""Where the repository is, for tests at any depth under tests/ (AppTest resolves relative paths from its caller)."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ASSETS = REPO / "assets"


def repo_file(relative: str) -> str:
    """The absolute path of a file given relative to the repository root, e.g. ``repo_file("pages/0_Home.py")``."""
    return str(REPO / relative)
