"""Alias for tasks queued before the split by area: their stored path is
``positions.tasks.build_book``; the task lives in ``printing.tasks`` now."""

from printing.tasks import build_book

__all__ = ["build_book"]
