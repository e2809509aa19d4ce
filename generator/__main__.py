"""``python -m generator`` is the same as the ``paperkb`` console script."""

from generator.cli import main

raise SystemExit(main())
