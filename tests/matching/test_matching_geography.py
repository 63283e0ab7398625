"""Place names in Chinese and English and the distance class of a site."""

from __future__ import annotations

import pytest

from hcctrials.matching.geography import Place, distance_class, normalise_place, resolve_location
from hcctrials.model.patient import Location
from hcctrials.model.trial import Site

SHENZHEN = Location(city="Shenzhen", province="Guangdong", country="China")


@pytest.mark.parametrize(("text", "expected"), [
    ("深圳", Place("Shenzhen", "Guangdong", "China")),
    ("深圳市", Place("Shenzhen", "Guangdong", "China")),
    ("shenzhen", Place("Shenzhen", "Guangdong", "China")),
    ("广东省", Place(None, "Guangdong", "China")),
    ("Guangdong Province", Place(None, "Guangdong", "China")),
    ("广西壮族自治区", Place(None, "Guangxi", "China")),
    ("中国", Place(None, None, "China")),
    ("People's Republic of China", Place(None, None, "China")),
    ("USA", Place(None, None, "United States")),
])
def test_normalise_place(text: str, expected: Place) -> None:
    assert normalise_place(text) == expected


def _site(city=None, province=None, country=None, zh=False):  # type: ignore[no-untyped-def]
    key = "zh" if zh else "en"
    return Site(city={key: city}, province={key: province}, country={key: country})


@pytest.mark.parametrize(("site", "expected"), [
    (_site("深圳", "广东", "中国", zh=True), "same_city"),
    (_site(None, "广东", "中国", zh=True), "same_province"),  # seed 000 gives province only
    (_site("Guangzhou", None, "China"), "same_province"),  # province implied by the city
    (_site(None, "山东省", "中国", zh=True), "same_country"),
    (_site("Houston", "Texas", "United States"), "other_country"),
    (_site(), "unknown"),
])
def test_distance_class(site: Site, expected: str) -> None:
    assert distance_class(SHENZHEN, site) == expected


def test_patient_in_chinese_and_unknown_cities() -> None:
    patient = Location(city="深圳市")
    assert distance_class(patient, _site("Shenzhen", None, "China")) == "same_city"
    us = Location(city="Houston", province="Texas", country="USA")
    assert distance_class(us, _site("houston", "Texas", "United States")) == "same_city"
    assert distance_class(us, _site("Dallas", "Texas", "United States")) == "same_province"
    assert resolve_location(None, None, "Hong Kong") == Place(None, "Hong Kong", "China")


def test_distance_in_km_between_known_cities() -> None:
    """Great-circle distance (haversine, Earth radius 6371 km): Beijing (39.9 N, 116.4 E) to Shanghai
    (31.2 N, 121.5 E) is about 1,070 km; a province or country alone gives no distance (never guessed)."""
    from hcctrials.matching.geography import distance_km, normalise_place

    km = distance_km(normalise_place("北京"), normalise_place("Shanghai"))
    assert km is not None and 1050 < km < 1090
    assert distance_km(normalise_place("深圳"), normalise_place("深圳")) == 0.0
    assert distance_km(normalise_place("广东"), normalise_place("Shanghai")) is None
