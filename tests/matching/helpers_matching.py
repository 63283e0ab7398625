"""Small literal trials and patients for the matching tests (written for hcctrials)."""

from __future__ import annotations

from typing import Any

from hcctrials.model.trial import Trial


def make_trial(trial_id: str = "NCT09990001", **fields: Any) -> Trial:
    """A minimal valid Trial; *fields* override (nested dicts are validated by pydantic)."""
    data: dict[str, Any] = {
        "trial_id": trial_id,
        "registry": "chictr" if trial_id.startswith("ChiCTR") else "ctgov",
        "provenance": {"source_format": "test", "raw_sha256": trial_id.lower().ljust(64, "0")[:64]},
    }
    data.update(fields)
    return Trial.model_validate(data)
