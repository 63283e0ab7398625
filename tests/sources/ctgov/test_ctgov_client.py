"""The CT.gov API v2 client and `hcctrials fetch ctgov` against a local HTTP server that
replays pages built here from the real studies in ../shared (no network)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.ctgov.client import CtgovFetchError, fetch_pages, fetch_studies, fetch_study
from hcctrials.sources.detect import iter_input_files, parse_path


class Replay:
    """Scripted answers: pages by token, plus one-off failures before a given token."""

    def __init__(self, studies: list[dict], page_size: int) -> None:
        self.pages: dict[str, dict] = {}
        chunks = [studies[i:i + page_size] for i in range(0, len(studies), page_size)]
        for n, chunk in enumerate(chunks):
            page: dict = {"studies": chunk}
            if n == 0:
                page["totalCount"] = len(studies)
            if n + 1 < len(chunks):
                page["nextPageToken"] = f"tok{n + 1}"
            self.pages["" if n == 0 else f"tok{n}"] = page
        self.failures: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
        self.log: list[tuple[float, str, dict]] = []
        self.by_id = {s["protocolSection"]["identificationModule"]["nctId"]: s for s in studies}


def _handler(replay: Replay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            replay.log.append((time.monotonic(), url.path, query))
            if url.path.startswith("/api/v2/studies/"):
                study = replay.by_id.get(url.path.rsplit("/", 1)[1])
                self._send(200 if study else 404, json.dumps(study or {"error": "not found"}).encode())
                return
            token = query.get("pageToken", "")
            queue = replay.failures.get(token)
            if queue:
                status, headers, body = queue.pop(0)
                self._send(status, body, headers)
                return
            self._send(200, json.dumps(replay.pages[token]).encode())

    return Handler


@pytest.fixture()
def server(shared_dir: Path) -> Iterator[tuple[str, Replay]]:
    studies = json.loads((shared_dir / "data/registry/ctgov_api_v2_json/dgg32_ctg-studies-5.json").read_text())
    replay = Replay(studies, page_size=20)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(replay))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/api/v2", replay
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_pages_and_retries(server: tuple[str, Replay]) -> None:
    base_url, replay = server
    replay.failures["tok1"] = [(429, {"Retry-After": "1"}, b"{}")]
    replay.failures["tok2"] = [(503, {}, b"busy")]
    studies = list(fetch_studies(condition="hepatocellular carcinoma", status="RECRUITING", page_size=20,
                                 base_url=base_url, min_interval_s=0.2))
    assert len(studies) == 50
    assert studies[0]["protocolSection"]["identificationModule"]["nctId"] == "NCT05925803"
    requests = [entry for entry in replay.log if entry[1] == "/api/v2/studies"]
    assert [q.get("pageToken", "") for _, _, q in requests] == ["", "tok1", "tok1", "tok2", "tok2"]
    assert requests[0][2]["query.cond"] == "hepatocellular carcinoma"
    assert requests[0][2]["filter.overallStatus"] == "RECRUITING"
    # Retry-After: 1 was honoured; requests were never closer than the rate limit
    assert requests[2][0] - requests[1][0] >= 0.95
    gaps = [b[0] - a[0] for a, b in zip(requests, requests[1:])]
    assert min(gaps) >= 0.15  # server-side arrival times; client spaces starts by 0.2 s


def test_max_studies_cuts_the_last_page(server: tuple[str, Replay]) -> None:
    base_url, _ = server
    pages = list(fetch_pages(page_size=20, max_studies=25, base_url=base_url, min_interval_s=0))
    assert [len(p["studies"]) for p in pages] == [20, 5]
    assert "nextPageToken" not in pages[-1]


def test_gives_up_with_a_clear_error(server: tuple[str, Replay]) -> None:
    base_url, replay = server
    replay.failures[""] = [(503, {"Retry-After": "0"}, b"down")] * 3
    with pytest.raises(CtgovFetchError, match=r"gave up after 3 attempts; last problem: HTTP 503"):
        list(fetch_studies(base_url=base_url, min_interval_s=0, max_retries=2))


def test_malformed_json_page(server: tuple[str, Replay]) -> None:
    base_url, replay = server
    replay.failures["tok1"] = [(200, {}, b'{"studies": [{"protocolSection": ')]
    with pytest.raises(CtgovFetchError, match="malformed JSON"):
        list(fetch_studies(page_size=20, base_url=base_url, min_interval_s=0))


def test_fetch_study_by_id(server: tuple[str, Replay]) -> None:
    base_url, _ = server
    study = fetch_study("NCT05883644", base_url=base_url, min_interval_s=0)
    assert study["protocolSection"]["identificationModule"]["acronym"] == "SIERRA"
    with pytest.raises(CtgovFetchError, match="HTTP 404"):
        fetch_study("NCT00000000", base_url=base_url, min_interval_s=0)


def test_cli_fetch_writes_ingestible_pages(server: tuple[str, Replay], tmp_path: Path) -> None:
    base_url, _ = server
    out = tmp_path / "ctgov"
    result = CliRunner().invoke(app, ["fetch", "ctgov", "--condition", "hepatocellular carcinoma",
                                      "--max", "45", "--page-size", "20", "--out", str(out),
                                      "--base-url", base_url, "--min-interval", "0", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)  # the summary is pretty-printed JSON, like every --json
    assert summary["studies"] == 45 and summary["pages"] == 3
    files = iter_input_files(out)
    assert len(files) == 3
    trials = [r.trial for f in files for r in parse_path(f)]
    assert len(trials) == 45 and all(isinstance(t.trial_id, str) for t in trials)
    assert any(t.trial_id == "NCT05883644" for t in trials)
    assert all(isinstance(r, ParsedRecord) for f in files for r in parse_path(f))
    # written as the website's download: a JSON array, one study per line (the ingest fast path)
    from hcctrials.sources.ctgov.api_json import array_layout

    lines = files[0].read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 2 + 20
    assert all(array_layout(f) for f in files)
    assert not list(out.glob(".*"))  # no partial page left behind


def test_an_unresolvable_host_says_the_network_is_unreachable() -> None:
    # the transport fails as httpx does offline when the name does not resolve (no network, no resolver is asked);
    # one attempt: retrying a name that does not exist will not help
    import httpx

    from hcctrials.sources.ctgov.client import CtgovClient

    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)

    with httpx.Client(transport=httpx.MockTransport(offline)) as http, \
            CtgovClient(client=http, base_url="https://clinicaltrials.gov/api/v2", sleep=lambda s: None) as client:
        with pytest.raises(CtgovFetchError, match="network is unreachable: could not connect to clinicaltrials.gov") as info:
            client.get_json("/studies")
    assert "request rate" not in str(info.value)
    assert client.requests_made == 1


def test_a_refused_connection_is_unreachable_after_retries() -> None:
    import socket

    from hcctrials.sources.ctgov.client import CtgovClient

    with socket.socket() as s:  # a free local port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with CtgovClient(base_url=f"http://127.0.0.1:{port}/api/v2", sleep=lambda s: None, max_retries=2) as client:
        with pytest.raises(CtgovFetchError, match="network is unreachable"):
            client.get_json("/studies")
    assert client.requests_made == 3
