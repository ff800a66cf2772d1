"""``python -m aeot_viz``: see :mod:`aeot_viz.cli`."""

from .cli import main

raise SystemExit(main())
