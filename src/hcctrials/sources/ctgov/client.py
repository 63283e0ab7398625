"""Live client for the ClinicalTrials.gov API v2 (https://clinicaltrials.gov/data-api/api).

``GET {base_url}/studies`` pages by ``pageToken``/``nextPageToken``; ``GET
{base_url}/studies/{nctId}`` returns one study.  Requests are spaced by at least
``min_interval_s`` (a polite rate limit; CT.gov asks for about 50 requests per minute at
most), and 429, 5xx and time-outs/connection errors are retried with exponential back-off
plus jitter, honouring ``Retry-After``.  The httpx client is injectable, so tests run it
against a local server and nothing here is tied to the network.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from hcctrials.errors import HcctrialsError

__all__ = ["CtgovFetchError", "CtgovClient", "fetch_studies", "fetch_pages", "fetch_study",
           "DEFAULT_BASE_URL"]

DEFAULT_BASE_URL = "https://clinicaltrials.gov/api/v2"
_RETRY_STATUS = {429, 500, 502, 503, 504}
_MAX_BACKOFF_S = 60.0
#: a connection error that is a failed name lookup (getaddrinfo's messages on Linux and macOS)
_NO_NAME = re.compile(r"name or service not known|nodename nor servname|temporary failure in name resolution"
                      r"|no address associated|name resolution|getaddrinfo failed", re.IGNORECASE)


class CtgovFetchError(HcctrialsError):
    """The CT.gov API could not be reached or answered with something unusable."""


class CtgovClient:
    """A polite, retrying CT.gov API v2 session (one per fetch run)."""

    def __init__(self, *, client: httpx.Client | None = None, base_url: str = DEFAULT_BASE_URL,
                 min_interval_s: float = 0.35, max_retries: int = 5, backoff_base_s: float = 0.5,
                 timeout_s: float = 30.0, sleep: Callable[[float], None] = time.sleep) -> None:
        self._own = client is None
        self._client = client or httpx.Client(timeout=timeout_s, headers={"User-Agent": "hcctrials"})
        self.base_url = base_url.rstrip("/")
        self.min_interval_s = min_interval_s
        self.max_retries = max_retries
        self.backoff_base_s = backoff_base_s
        self._sleep = sleep
        self._last_request = float("-inf")
        self.requests_made = 0
        self.retries_made = 0

    def close(self) -> None:
        if self._own:
            self._client.close()

    def __enter__(self) -> CtgovClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait_turn(self) -> None:
        wait = self._last_request + self.min_interval_s - time.monotonic()
        if wait > 0:
            self._sleep(wait)
        self._last_request = time.monotonic()

    def _backoff(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None and (header := response.headers.get("Retry-After")):
            try:
                return min(float(header), _MAX_BACKOFF_S)
            except ValueError:
                try:
                    when = float(parsedate_to_datetime(header).timestamp())
                    return max(0.0, min(when - time.time(), _MAX_BACKOFF_S))
                except (TypeError, ValueError):
                    pass
        delay = self.backoff_base_s * float(2 ** attempt)  # int ** int is typed Any
        return min(delay + random.uniform(0, delay / 2), _MAX_BACKOFF_S)

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``base_url + path`` and decode JSON, retrying transient failures."""
        url = self.base_url + path
        last_problem = ""
        unreachable = True  # every attempt failed to connect (no DNS answer, no route, refused)
        for attempt in range(self.max_retries + 1):
            self._wait_turn()
            self.requests_made += 1
            response: httpx.Response | None = None
            try:
                response = self._client.get(url, params=params)
            except httpx.ConnectError as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
                if _NO_NAME.search(str(exc)):  # the name does not resolve: retrying will not help
                    break
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                unreachable = False
                last_problem = f"{type(exc).__name__}: {exc}"
            else:
                unreachable = False
                if response.status_code == 200:
                    try:
                        return response.json()
                    except ValueError as exc:
                        raise CtgovFetchError(f"the API answered with malformed JSON ({exc})",
                                              file=str(response.url)) from None
                if response.status_code not in _RETRY_STATUS:
                    raise CtgovFetchError(
                        f"the API answered HTTP {response.status_code}: {response.text[:200]}",
                        file=str(response.url),
                        hint="Check the query parameters" if response.status_code == 400 else None)
                last_problem = f"HTTP {response.status_code}"
            if attempt < self.max_retries:
                self.retries_made += 1
                self._sleep(self._backoff(attempt, response))
        if unreachable:
            host = httpx.URL(url).host
            raise CtgovFetchError(f"the network is unreachable: could not connect to {host} ({last_problem})",
                                  hint="Check the network connection (or proxy) and --base-url")
        raise CtgovFetchError(f"gave up after {self.max_retries + 1} attempts; last problem: {last_problem}",
                              file=url, hint="Try again later or lower the request rate")


def _query(condition: str | None, term: str | None, intervention: str | None,
           status: str | None, page_size: int) -> dict[str, Any]:
    params: dict[str, Any] = {"format": "json", "pageSize": page_size, "countTotal": "true"}
    if condition:
        params["query.cond"] = condition
    if term:
        params["query.term"] = term
    if intervention:
        params["query.intr"] = intervention
    if status:
        params["filter.overallStatus"] = status
    return params


def fetch_pages(*, condition: str | None = None, term: str | None = None,
                intervention: str | None = None, status: str | None = None, page_size: int = 100,
                max_studies: int | None = None, client: httpx.Client | None = None,
                base_url: str = DEFAULT_BASE_URL, min_interval_s: float = 0.35,
                max_retries: int = 5, session: CtgovClient | None = None) -> Iterator[dict[str, Any]]:
    """Yield the search response pages (``{"studies": [...], "nextPageToken": ...}``).

    The last page is cut so that at most *max_studies* studies are yielded in total.
    """
    if page_size < 1 or page_size > 1000:
        raise CtgovFetchError("page_size must be 1..1000 (the API maximum)", value=page_size)
    own = session is None
    api = session or CtgovClient(client=client, base_url=base_url, min_interval_s=min_interval_s,
                                 max_retries=max_retries)
    try:
        params = _query(condition, term, intervention, status, page_size)
        seen = 0
        while True:
            page = api.get_json("/studies", params)
            if not isinstance(page, dict) or not isinstance(page.get("studies", []), list):
                raise CtgovFetchError("the API answered with something that is not a search page",
                                      file=api.base_url + "/studies")
            studies = page.get("studies", [])
            if max_studies is not None and seen + len(studies) >= max_studies:
                page = {**page, "studies": studies[: max_studies - seen]}
                page.pop("nextPageToken", None)
            seen += len(page["studies"]) if "studies" in page else 0
            yield page
            token = page.get("nextPageToken")
            if not token or (max_studies is not None and seen >= max_studies):
                return
            params = {k: v for k, v in params.items() if k != "countTotal"}
            params["pageToken"] = token
    finally:
        if own:
            api.close()


def fetch_studies(*, condition: str | None = None, term: str | None = None,
                  intervention: str | None = None, status: str | None = None, page_size: int = 100,
                  max_studies: int | None = None, client: httpx.Client | None = None,
                  base_url: str = DEFAULT_BASE_URL, min_interval_s: float = 0.35,
                  max_retries: int = 5) -> Iterator[dict[str, Any]]:
    """Yield every study (API v2 study object) matching the query, page after page."""
    for page in fetch_pages(condition=condition, term=term, intervention=intervention, status=status,
                            page_size=page_size, max_studies=max_studies, client=client,
                            base_url=base_url, min_interval_s=min_interval_s, max_retries=max_retries):
        yield from page.get("studies", [])


def fetch_study(nct_id: str, *, client: httpx.Client | None = None, base_url: str = DEFAULT_BASE_URL,
                min_interval_s: float = 0.35, max_retries: int = 5) -> dict[str, Any]:
    """One study by NCT number."""
    if not nct_id.upper().startswith("NCT") or not nct_id[3:].isdigit():
        raise CtgovFetchError("not an NCT number", value=nct_id, hint="Expected NCT followed by 8 digits")
    with CtgovClient(client=client, base_url=base_url, min_interval_s=min_interval_s,
                     max_retries=max_retries) as api:
        study = api.get_json(f"/studies/{nct_id.upper()}", {"format": "json"})
    if not isinstance(study, dict):
        raise CtgovFetchError("the API answered with something that is not a study", value=nct_id)
    return study
