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

from deadline import within
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


def test_a_match_waiting_for_another_is_answered_from_a_thread_with_the_same_document(client: Any) -> None:
    """The API matches on the server's event loop only when it can start at once; while another match holds the
    catalog (here: this test holds its lock), the request is matched in a thread once the lock is free, and the
    answer is the same document."""
    import threading
    import time

    from hcctrials.web.forms import patient_from_json
    from hcctrials.web.services import MatchOptions

    services = client.app.state.services
    patient = _patient()
    params = {"as_of": "2024-05-10", "lang": "zh"}
    first = client.post("/api/match", params=params, json=patient)  # the catalog is loaded now
    assert first.status_code == 200, first.text
    options = MatchOptions(as_of=date(2024, 5, 10))
    assert services.match_without_waiting(patient_from_json(patient), options, "zh") is not None
    answers: list[Any] = []
    with services._match_lock:
        assert services.match_without_waiting(patient_from_json(patient), options, "zh") is None
        waiting = threading.Thread(target=lambda: answers.append(client.post("/api/match", params=params,
                                                                             json=patient)))
        waiting.start()
        time.sleep(0.5)
        assert not answers, "the request waits for the match running, it is not answered without the catalog"
    waiting.join(timeout=60)
    assert answers and answers[0].status_code == 200, answers and answers[0].text
    assert answers[0].json() == first.json()


def test_a_match_before_the_catalog_is_read_does_not_run_on_the_event_loop(tmp_path: Any) -> None:
    """A server's first match reads (or after a compiler upgrade, compiles) the match catalog: seconds to minutes
    of work that must not stop the worker's event loop, so ``match_without_waiting`` declines it."""
    from hcctrials.storage import open_store
    from hcctrials.web.forms import patient_from_json
    from hcctrials.web.services import MatchOptions, WebServices

    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    open_store(url).close()  # an empty database with its tables
    services = WebServices(url)
    try:
        options = MatchOptions(as_of=date(2024, 5, 10))
        assert services.match_without_waiting(patient_from_json(_patient()), options, "en") is None
        document, _others, _result = services.match(patient_from_json(_patient()), options, "en")
        assert document["trials"] == [] and document["catalog_trials"] == 0
        assert services.match_without_waiting(patient_from_json(_patient()), options, "en") is not None
    finally:
        services.close()


def test_a_worker_runs_two_request_threads_and_a_bad_setting_is_refused(monkeypatch: Any, tmp_path: Any) -> None:
    """Routes run in threads take turns in the order they came, two at a time per worker (docs/web.md:
    40 threads taking turns on the interpreter lock cost twice the CPU); ``HCCTRIALS_REQUEST_THREADS`` sets it,
    and a value that is not a count is refused with its name, not guessed."""
    import anyio.to_thread
    import pytest
    from web_support import make_client

    from hcctrials.errors import InputError
    from hcctrials.web import create_app

    url = f"sqlite:///{tmp_path / 'threads.sqlite3'}"
    seen: list[int] = []
    for given, expected in ((None, 2), ("5", 5)):
        if given is None:
            monkeypatch.delenv("HCCTRIALS_REQUEST_THREADS", raising=False)
        else:
            monkeypatch.setenv("HCCTRIALS_REQUEST_THREADS", given)
        app = create_app(url)

        @app.get("/_threads")
        async def threads() -> dict[str, float]:
            return {"n": anyio.to_thread.current_default_thread_limiter().total_tokens}

        with make_client(app) as client:
            seen.append(int(client.get("/_threads").json()["n"]))
        assert seen[-1] == expected
    for bad in ("0", "many", "100"):
        monkeypatch.setenv("HCCTRIALS_REQUEST_THREADS", bad)
        with pytest.raises(InputError, match="HCCTRIALS_REQUEST_THREADS"):
            create_app(url)


def test_matches_waiting_for_the_catalog_leave_the_catalog_pages_answering(client: Any) -> None:
    """While the match catalog is being read (here: its lock held), matches from the API and from the match form
    wait in threads of their own; the two request threads stay free, so the catalog and a trial page answer."""
    import threading
    import time

    services = client.app.state.services
    patient = _patient()
    assert client.post("/api/match", params={"as_of": "2024-05-10"}, json=patient).status_code == 200
    answers: list[int] = []

    def post_api() -> None:
        answers.append(client.post("/api/match", params={"as_of": "2024-05-10"}, json=patient).status_code)

    def post_form() -> None:
        answers.append(client.post("/match", data={"as_of": "2024-05-10", "age": "60"}).status_code)

    with services._match_lock:
        waiting = [threading.Thread(target=f) for f in (post_api, post_api, post_form, post_form)]
        for t in waiting:
            t.start()
        time.sleep(0.5)
        # a page waiting behind the matches would wait for ever (they wait for this lock): a deadline fails it
        with within(20, "catalog pages while matches wait for the catalog"):
            assert client.get("/api/trials", params={"q": "hepatocellular"}).status_code == 200
            assert client.get("/", params={"lang": "zh"}).status_code == 200
        assert not answers, "the matches wait for the catalog"
    for t in waiting:
        t.join(timeout=60)
    assert len(answers) == 4 and all(code in (200, 422) for code in answers), answers
