"""The adapter modules; each registers itself with adapters.registry on import."""
from . import group_a, group_b  # noqa: F401
