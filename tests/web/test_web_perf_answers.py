"""What the speed work of issue 12 must not change (no timing here: benchmarks/web_bench.py times).

The JSON API answers are the library's documents as FastAPI encodes a returned dict (pydantic-core:
under 0.1 ms for a 20-trial match answer, measured while profiling issue 12, so the encoding is not
where a request's time goes and is kept): parsed back they equal the document as :mod:`json` writes
it, non-ASCII text is UTF-8, and the OpenAPI document declares an object for every answer.  The
benchmark's rows (match, search, trial) read exactly these answers."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from web_support import PATIENTS, TODAY

import yaml


def _patient() -> dict[str, Any]:
    path = sorted(p for p in PATIENTS.glob("*.yaml"))[0]
    data: dict[str, Any] = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
    return data


def test_the_match_answer_is_the_librarys_document(client: Any) -> None:
    from hcctrials.web.forms import patient_from_json
    from hcctrials.web.services import MatchOptions

    patient = _patient()
    for lang in ("en", "zh"):
        answer = client.post("/api/match", params={"as_of": "2024-05-10", "lang": lang}, json=patient)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/json"
        document, _others, _result = client.app.state.services.match(
            patient_from_json(patient), MatchOptions(as_of=date(2024, 5, 10)), lang)
        assert answer.json() == json.loads(json.dumps(document, ensure_ascii=False))
        assert answer.json()["trials"], "the example patient is shown some example trials"
    assert "符合" in client.post("/api/match", params={"as_of": "2024-05-10", "lang": "zh"},
                                json=patient).content.decode("utf-8")


def test_catalog_and_trial_answers_are_the_documents(client: Any) -> None:
    from hcctrials.web.routes.api import catalog_document, trial_document
    from hcctrials.web.routes.common import catalog_query

    services = client.app.state.services
    answer = client.get("/api/trials", params={"q": "肝细胞癌", "lang": "zh"})
    assert answer.status_code == 200
    query = catalog_query("肝细胞癌", [], [], [], [], [], [], None, [], 1, 20, [])
    expected = catalog_document(services.search(query, as_of=TODAY, language="zh"), "zh")
    assert answer.json() == json.loads(json.dumps(expected, ensure_ascii=False))
    assert answer.json()["total"] > 0
    first = answer.json()["items"][0]
    one = client.get(f"/api/trials/{first['trial_id']}", params={"registry": first["registry"]})
    assert one.status_code == 200
    view = services.trial(first["trial_id"], as_of=TODAY, registry=first["registry"])
    assert one.json() == json.loads(json.dumps(trial_document(view, "en"), ensure_ascii=False))


def test_the_openapi_document_still_declares_object_answers(client: Any) -> None:
    spec = client.get("/api/openapi.json").json()
    for path, method in (("/api/match", "post"), ("/api/trials", "get"), ("/api/trials/{trial_id}", "get")):
        schema = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema.get("type") == "object" and schema.get("additionalProperties") is True, (path, schema)
