"""Each feature's command-line subcommands, in a module of its own.

A module here defines ``register(sub)``, which adds its subparsers to the
``smart-gateway`` command (each with ``set_defaults(func=...)``; a func takes
``(args, settings)`` and returns the exit status).
"""
from __future__ import annotations


def register_all(sub) -> None:
    from . import adapters, cascade, composition, msme
    for feature in (cascade, composition, msme, adapters):
        feature.register(sub)
