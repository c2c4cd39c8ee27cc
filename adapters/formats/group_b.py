"""UBL 2.1, ANSI X12 and UN/EDIFACT adapters: see the modules they import."""
from . import edifact, ubl, x12  # noqa: F401
