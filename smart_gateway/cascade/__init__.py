"""Abnormal propagation: updates and cancellations cascaded through the TDIN.

The planner is pure (smart_gateway/domain/change.py); this package is its
database side: ``subgraph`` loads and locks what a change can reach, ``apply``
writes a plan in the caller's transaction, ``service`` holds the use cases
(update, cancel, plan, change requests, confirmation) and ``check`` the
integrity checker behind `smart-gateway check`.
"""
