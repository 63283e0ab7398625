"""Milan (Mazzaferro 1996), up-to-seven (Mazzaferro 2009), six-and-twelve (Wang Q et al.,
J Hepatol 2019;70:893-903) as defined in hcc-domain.md §3."""

from __future__ import annotations

import pytest

from hcctrials.errors import ValidationError
from hcctrials.scores import compute_milan, compute_six_and_twelve, compute_up_to_seven

CLEAN = dict(macrovascular_invasion=False, extrahepatic_spread=False)


@pytest.mark.parametrize("n, d, within", [
    (1, 5.0, True), (1, 5.1, False), (2, 3.0, True), (3, 3.0, True), (3, 3.1, False), (4, 1.0, False),
])
def test_milan(n, d, within) -> None:
    assert compute_milan(nodule_count=n, largest_diameter_cm=d, **CLEAN).within is within


def test_milan_vascular_or_extrahepatic() -> None:
    assert compute_milan(nodule_count=1, largest_diameter_cm=2, macrovascular_invasion=True,
                         extrahepatic_spread=False).within is False
    assert compute_milan(nodule_count=1, largest_diameter_cm=2, macrovascular_invasion=False,
                         extrahepatic_spread=True).within is False


def test_milan_unknown_invasion() -> None:
    r = compute_milan(nodule_count=1, largest_diameter_cm=2, macrovascular_invasion=None,
                      extrahepatic_spread=False)
    assert r.within is None and r.missing == ("macrovascular_invasion",)


@pytest.mark.parametrize("n, d, total, within", [(3, 4.0, 7.0, True), (3, 4.1, 7.1, False),
                                                 (1, 6.0, 7.0, True), (2, 5.5, 7.5, False)])
def test_up_to_seven(n, d, total, within) -> None:
    r = compute_up_to_seven(nodule_count=n, largest_diameter_cm=d)
    assert r.value == pytest.approx(total) and r.within is within


def test_up_to_seven_transplant_setting() -> None:
    r = compute_up_to_seven(nodule_count=2, largest_diameter_cm=3, macrovascular_invasion=True,
                            require_no_vascular_invasion=True)
    assert r.within is False
    r = compute_up_to_seven(nodule_count=2, largest_diameter_cm=3, require_no_vascular_invasion=True)
    assert r.within is None and "macrovascular_invasion" in r.missing


@pytest.mark.parametrize("n, d, stratum", [(2, 4.0, "≤6"), (2, 4.1, ">6-≤12"), (4, 8.0, ">6-≤12"),
                                           (4, 8.1, ">12")])
def test_six_and_twelve(n, d, stratum) -> None:
    assert compute_six_and_twelve(nodule_count=n, largest_diameter_cm=d).stratum == stratum


def test_unknown_count_but_size_alone_beyond() -> None:
    assert compute_up_to_seven(nodule_count=None, largest_diameter_cm=8).within is False
    assert compute_up_to_seven(nodule_count=None, largest_diameter_cm=4).within is None


def test_negative_diameter_rejected() -> None:
    with pytest.raises(ValidationError):
        compute_milan(nodule_count=1, largest_diameter_cm=-1, **CLEAN)
