"""``python -m rag``: the ``rag`` command."""

from rag.cli.main import main

raise SystemExit(main())
