"""``python -m graph build|export|stats``: see :mod:`graph.cli`."""

from graph.cli import main

raise SystemExit(main())
