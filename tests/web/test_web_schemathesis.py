"""The OpenAPI document against the API with schemathesis: no 5xx for any generated input.

Property-based: schemathesis generates requests (valid and invalid) for every operation of
``/api/openapi.json``; a bounded number of examples per operation keeps the run under a minute.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis.checks import not_a_server_error

from web_support import TODAY

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def api_schema(web_db: str) -> Iterator[Any]:
    from hcctrials.web import create_app

    app = create_app(web_db, today=lambda: TODAY)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield schemathesis.openapi.from_asgi("/api/openapi.json", app)
    app.state.services.close()


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_never_answers_5xx(case: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])
