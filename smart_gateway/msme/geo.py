"""Distance between two places on the earth, for the parallelizer's F(distance, ...).

Great-circle (haversine) distance on a sphere of the earth's mean radius: a
supplier's road distance is longer, but the order of suppliers by distance,
which is what the filter uses, is the same in all but contrived cases.
Standard library only.
"""
from __future__ import annotations

import math
from decimal import Decimal

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius


def distance_km(lat1: Decimal, lon1: Decimal, lat2: Decimal, lon2: Decimal) -> Decimal:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
    return Decimal(repr(round(km, 1)))
