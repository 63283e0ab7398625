"""A YAML patient uploaded to the match page is read by the patients package's public YAML loader
(:func:`hcctrials.patients.io.load_yaml_text`), with the same guards as a patient file on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web_support import PATIENTS, TODAY, ingest_examples, make_client

#: Nine levels of ten aliases each: a few hundred bytes standing for a billion values.
LAUGHS = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from hcctrials.web import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('upload') / 'web.sqlite3'}"
    ingest_examples(url)
    with make_client(create_app(url, today=lambda: TODAY)) as c:
        yield c


def test_the_public_loader_reads_what_the_file_loader_reads() -> None:
    from hcctrials.patients import parse_patient
    from hcctrials.patients.io import load_patient, load_yaml_text

    path = PATIENTS / "guangzhou_bclc_b_tace_naive.yaml"
    data = load_yaml_text(path.read_text(encoding="utf-8"), str(path))
    assert parse_patient(data, source=str(path)) == load_patient(path)


def test_the_public_loader_refuses_alias_bombs() -> None:
    from hcctrials.errors import ParseError
    from hcctrials.patients.io import load_yaml_text

    with pytest.raises(ParseError) as caught:
        load_yaml_text(LAUGHS, "laughs.yaml")
    assert caught.value.file == "laughs.yaml" and "aliases expand" in str(caught.value)


def test_an_alias_bomb_upload_is_refused_with_the_file_named(client: Any) -> None:
    page = client.post("/match/upload", files={"patient_file": ("laughs.yaml", LAUGHS.encode())},
                       data={"as_of": TODAY.isoformat()})
    assert page.status_code == 422
    assert "laughs.yaml" in page.text and "aliases" in page.text


def test_forms_use_no_private_loader() -> None:
    import hcctrials.web.forms as forms

    source = Path(forms.__file__).read_text(encoding="utf-8")
    assert "_load_yaml" not in source and "load_yaml_text" in source
