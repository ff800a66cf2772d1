"""``python -m aeot_viz``: see :mod:`aeot_viz.apps.cli`."""

from .apps.cli import main

raise SystemExit(main())
