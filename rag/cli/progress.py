"""The progress bars the ``rag`` commands draw on stderr."""

from __future__ import annotations

import sys


class ProgressBar:
    """A tqdm bar on stderr, opened on the first embedded batch (a no-op ingest shows none)."""

    def __init__(self) -> None:
        self._bar = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="chunk", desc="embedding", file=sys.stderr, leave=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
