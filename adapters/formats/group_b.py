"""UBL 2.1, UN/CEFACT CII, ANSI X12 and UN/EDIFACT adapters: see the modules they import."""
from . import cii, edifact, ubl, x12  # noqa: F401
