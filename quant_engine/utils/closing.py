"""A ``with`` block for anything with a ``close()``: enter returns the object, exit closes it."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class ClosesOnExit:
    """Mixin: ``with obj:`` yields ``obj`` and calls ``obj.close()`` however the block ends."""

    def close(self) -> None:
        """Release what the object holds; subclasses override it."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
