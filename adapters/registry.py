"""The one table of adapters, by the ERP kind a company declares in the network file."""
from __future__ import annotations

from .base import Adapter

_ADAPTERS: dict[str, Adapter] = {}


def register(adapter: Adapter) -> Adapter:
    if adapter.kind in _ADAPTERS:
        raise ValueError(f"two adapters for ERP kind {adapter.kind!r}")
    _ADAPTERS[adapter.kind] = adapter
    return adapter


def _load() -> None:
    # Each adapter module registers itself on import; importing them here keeps
    # the list of kinds in one place.
    from . import formats  # noqa: F401


def adapter_for(kind: str) -> Adapter:
    if not _ADAPTERS:
        _load()
    try:
        return _ADAPTERS[kind]
    except KeyError:
        raise KeyError(f"no adapter for ERP kind {kind!r}; known: {', '.join(sorted(_ADAPTERS))}") \
            from None


def kinds() -> list[str]:
    if not _ADAPTERS:
        _load()
    return sorted(_ADAPTERS)
