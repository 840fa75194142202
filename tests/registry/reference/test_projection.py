"""ETRS-TM35FIN ↔ WGS84 against published points."""

import math

import pytest

from services.registry.reference.projection import tm35fin_to_wgs84, wgs84_to_tm35fin

# The worked example of JHS 197 (the Finnish public-sector recommendation on EUREF-FIN),
# annex 3: a point in Åland.
JHS197_LAT, JHS197_LON = 60.3851068722, 19.84813676944
JHS197_N, JHS197_E = 6715706.37708, 106256.35961


def test_inverse_matches_the_jhs197_example() -> None:
    lon, lat = tm35fin_to_wgs84(JHS197_E, JHS197_N)
    assert lat == pytest.approx(JHS197_LAT, abs=1e-8)  # about a millimetre
    assert lon == pytest.approx(JHS197_LON, abs=1e-8)


def test_forward_matches_the_jhs197_example() -> None:
    easting, northing = wgs84_to_tm35fin(JHS197_LON, JHS197_LAT)
    assert easting == pytest.approx(JHS197_E, abs=0.001)
    assert northing == pytest.approx(JHS197_N, abs=0.001)


def test_helsinki_railway_station() -> None:
    # The station building at about 60.1719 N, 24.9414 E; its TM35FIN position as given by
    # the tm35fin package's documentation.
    lon, lat = tm35fin_to_wgs84(385784, 6672298)
    metres_north = (lat - 60.1719) * 111_300
    metres_east = (lon - 24.9414) * 111_300 * math.cos(math.radians(60.17))
    assert math.hypot(metres_north, metres_east) < 60


def test_round_trip_across_finland() -> None:
    for lon, lat in [(19.5, 59.8), (24.94, 60.17), (27.0, 65.0), (31.5, 70.0)]:
        back = tm35fin_to_wgs84(*wgs84_to_tm35fin(lon, lat))
        assert back == pytest.approx((lon, lat), abs=1e-9)
