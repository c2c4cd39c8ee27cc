"""Every integration test that used a database ends with the integrity checker finding nothing.

The checker (smart_gateway/cascade/check.py, `smart-gateway check`) runs after
the test, once its gateway has stopped; a violation fails the test and names
the instances involved.
"""
from __future__ import annotations

import pytest

from smart_gateway.cascade.check import check


@pytest.fixture(autouse=True)
def _tdin_integrity(request):
    if "engine" not in request.fixturenames:
        yield
        return
    # Asking for the engine here makes it outlive this fixture: the check runs
    # after the gateway stopped and before the database goes away.
    engine = request.getfixturevalue("engine")
    yield
    with engine.connect() as conn:
        found = check(conn)
    if found:
        pytest.fail("the TDIN breaks its integrity rules after this test:\n"
                    + "\n".join(f"  {v}" for v in found), pytrace=False)
