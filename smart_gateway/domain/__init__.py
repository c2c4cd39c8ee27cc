"""The gateway's domain core: documents, the state model and error codes.

Standard library only; tests/unit/test_layering.py keeps it that way.
"""
