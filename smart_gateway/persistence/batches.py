"""Id lists cut to a size every database takes in one ``IN (...)``.

SQLite allows 32,766 bound parameters a statement and PostgreSQL 65,535; a
cascade or an explosion may name more instances than that, so every query by
a list of ids goes through ``chunks``.
"""
from __future__ import annotations

from typing import Iterable, Iterator

CHUNK = 5000


def chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """The ids in ascending order, CHUNK at a time (ascending: locks taken in
    these chunks are taken in id order, so two cascades never deadlock)."""
    ordered = sorted(ids)
    for i in range(0, len(ordered), CHUNK):
        yield ordered[i:i + CHUNK]
