"""Hand-written synthetic example patients (not real people) in every supported input format.

``EXAMPLES`` maps a short name to the file name; :func:`example_patient_path` gives the path.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["EXAMPLES", "example_patient_path"]

EXAMPLES = {
    "shenzhen_2l_after_atezo_bev": "shenzhen_2l_after_atezo_bev.yaml",
    "guangzhou_bclc_b_tace_naive": "guangzhou_bclc_b_tace_naive.yaml",
    "wuhan_child_pugh_b8_ascites": "wuhan_child_pugh_b8_ascites.yaml",
    "houston_us_units_bclc_a": "houston_us_units_bclc_a.json",
    "shanghai_fhir_bundle": "shanghai_fhir_bundle.json",
}


def example_patient_path(name: str) -> Path:
    """Path of the example patient file *name* (a key of :data:`EXAMPLES`)."""
    from hcctrials.errors import NotFoundError

    if name not in EXAMPLES:
        raise NotFoundError("no such example patient", value=name,
                            hint="choose one of: " + ", ".join(EXAMPLES))
    return Path(__file__).with_name(EXAMPLES[name])
