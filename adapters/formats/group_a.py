"""IDoc (XML and flat file), cXML and CSV adapters: each module registers itself on import."""
from . import csv_format, cxml, idoc, idoc_flat  # noqa: F401
