"""``python -m graph build|export|stats``: see :mod:`graph.cli`."""

from graph.cli import main

# Guarded: worker processes (spawn) import the main module under another name.
if __name__ == "__main__":
    raise SystemExit(main())
