"""The headquarter's use cases: submit, acknowledge, fetch, trace, agent registry.

Each takes an open database connection (one transaction) and the
authenticated Actor, and either does all of its writes or raises a
GatewayError before any of them is committed.
"""
