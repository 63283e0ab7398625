"""Where a web request's CPU time goes, stage by stage, in one process (no HTTP, no load generator).

Companion of benchmarks/web_bench.py (which times the whole server under 20 clients): the same
database and patients, each stage timed with ``time.process_time`` (CPU of this process, so other
work on a shared machine moves it little).  Prints milliseconds of CPU per request:

* match: parsing the patient body, ``match_patient`` (the whole ranking; with ``limit=20`` only the
  page shown is built, as the web asks), the ``--json`` document (``result_to_dict``: the explanation
  of the 20 shown trials is evaluated lazily here, so it is timed on a fresh result and again on one
  already explained; ``match_document``: the same document in one pass, as the web builds it), the
  version check of the catalog state, encoding the answer (pydantic-core, as FastAPI would for a
  returned dict, and orjson, as ``/api/match`` does), and ``WebServices.match`` as the route calls it
  (in English and in Chinese);
* search: a repeated query (answered from the per-query cache) and varied queries with the caches
  emptied (facet counts and the page computed per request: the catalog index in memory, words and
  filters by the database);
* trial page: a first view (record, versions, findings, linked records, compiled criteria, render)
  and a page already viewed (kept per data version).

    python benchmarks/web_profile.py --db sqlite:////tmp/web-bench.sqlite3 [--n 40] [--profile match]

``--profile STAGE`` adds a cProfile listing (cumulative) of that row.  Not a timed test.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import pstats
import random
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 1, 15)


def _web_bench() -> Any:
    spec = importlib.util.spec_from_file_location("web_bench", ROOT / "benchmarks" / "web_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cpu_ms(run: Callable[[int], Any], n: int) -> float:
    start = time.process_time()
    for i in range(n):
        run(i)
    return (time.process_time() - start) / n * 1000


def _first_20(result: Any) -> Any:
    result.matches = result.matches[:20]
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True, help="a database built by benchmarks/web_bench.py")
    ap.add_argument("--n", type=int, default=40, help="requests per row")
    ap.add_argument("--profile", default=None, help="cProfile one row: match, zh (match in Chinese), search, varied, "
                                                        "trial (viewed before), first (first view)")
    args = ap.parse_args()

    from pydantic import TypeAdapter

    import orjson

    from hcctrials.matching.explain import result_to_dict
    from hcctrials.matching.localise import match_document
    from hcctrials.matching.matcher import match_patient
    from hcctrials.patients.plausibility import check_dates
    from hcctrials.web.forms import patient_from_json
    from hcctrials.web.language import templates
    from hcctrials.web.services import CatalogQuery, MatchOptions, WebServices, keep_long_lived

    bench = _web_bench()
    patients = bench._patients()
    services = WebServices(args.db)
    services.freeze_after_load = True  # as the server process (hcctrials.web.server) runs it
    keep_long_lived()  # and with its collector policy
    s = time.perf_counter()
    services.warm(AS_OF)
    print(f"warm (match catalog, today's recruiting states): {time.perf_counter() - s:.1f} s")
    state = services._catalog_state()
    catalog = services._match_catalog(state)
    encode = TypeAdapter(dict[str, Any])
    n = args.n
    parsed = [patient_from_json(p) for p in patients]
    for i in range(10):  # warm the matcher's per-process caches
        services.match(parsed[i % len(parsed)], MatchOptions(as_of=AS_OF), "en")
    results = [match_patient(check_dates(p, AS_OF), catalog, as_of=AS_OF) for p in parsed]
    for r in results:
        r.matches = r.matches[:20]
    documents = [result_to_dict(r, "en") for r in results]

    rows: dict[str, Callable[[int], Any]] = {
        "match: parse the patient body": lambda i: patient_from_json(patients[i % len(patients)]),
        "match: catalog state (data version)": lambda i: services._catalog_state(),
        "match: match_patient (10,000 trials)": lambda i: match_patient(
            check_dates(parsed[i % len(parsed)], AS_OF), catalog, as_of=AS_OF),
        "match: result_to_dict, explanations kept": lambda i: result_to_dict(results[i % len(results)], "en"),
        "match: match_patient, limit=20": lambda i: match_patient(
            check_dates(parsed[i % len(parsed)], AS_OF), catalog, as_of=AS_OF, limit=20),
        "match: match_patient + result_to_dict": lambda i: result_to_dict(_first_20(match_patient(
            check_dates(parsed[i % len(parsed)], AS_OF), catalog, as_of=AS_OF)), "en"),
        "match: limit=20 + match_document": lambda i: match_document(match_patient(
            check_dates(parsed[i % len(parsed)], AS_OF), catalog, as_of=AS_OF, limit=20),
            parsed[i % len(parsed)].data_findings, "en"),
        "match: encode the answer (pydantic)": lambda i: encode.dump_json(
            encode.validate_python(documents[i % len(documents)])),
        "match: encode the answer (orjson)": lambda i: orjson.dumps(documents[i % len(documents)]),
        "match: WebServices.match (all)": lambda i: services.match(parsed[i % len(parsed)],
                                                                   MatchOptions(as_of=AS_OF), "en"),
        "match: WebServices.match, zh": lambda i: services.match(parsed[i % len(parsed)],
                                                                 MatchOptions(as_of=AS_OF), "zh"),
    }
    queries = bench.QUERIES
    rng = random.Random(99)
    varied = []
    for _ in range(n):
        kw: dict[str, Any] = {"q": rng.choice(queries), "page": rng.randint(1, 3)}
        for name, values in (("recruiting", ("open", "uncertain", "not_yet_open", "closed")),
                             ("status", ("recruiting", "completed", "terminated", "not_yet_recruiting")),
                             ("phase", ("phase1", "phase2", "phase3")),
                             ("drug_class", ("pd1", "tki", "locoregional", "anti_vegf"))):
            if rng.random() < 0.5:
                kw[name] = (rng.choice(values),)
        varied.append(CatalogQuery(**kw))

    def uncached(i: int) -> Any:
        current = services._catalog_state()
        current.facets = type(current.facets)(current.facets.size)
        current.pages = type(current.pages)(current.pages.size)
        return services.search(varied[i], as_of=AS_OF)

    for q in queries:
        services.search(CatalogQuery(q=q), as_of=AS_OF)
    rows["search: repeated query (cached)"] = lambda i: services.search(CatalogQuery(q=queries[i % len(queries)]),
                                                                          as_of=AS_OF)
    rows["search: varied query (computed)"] = uncached

    ids = [h.trial_id for page in (4, 5, 6) for h in services.search(
        CatalogQuery(q="hepatocellular", per_page=100, page=page), as_of=AS_OF).items]

    def render(view: Any) -> str:
        html: str = templates().get_template("trial.html").render(lang="en", switch_url="/trials/x?lang=zh",
                                                                  path="/trials/x", view=view, trial=view.trial)
        return html

    rows["trial page: first view"] = lambda i: services.trial_page(ids[i], as_of=AS_OF, registry=None,
                                                                   variant=("en",), render=render)
    rows["trial page: viewed before"] = lambda i: services.trial_page(ids[i], as_of=AS_OF, registry=None,
                                                                      variant=("en",), render=render)
    print(f"CPU per request (ms), {n} requests per row, {len(catalog.trials)} trials in the match catalog:")
    for name, run in rows.items():
        print(f"  {name:<40} {_cpu_ms(run, n):7.2f}")
    if args.profile:
        chosen = {"match": "match: WebServices.match (all)", "zh": "match: WebServices.match, zh",
                  "search": "search: repeated query (cached)", "varied": "search: varied query (computed)",
                  "trial": "trial page: viewed before", "first": "trial page: first view"}[args.profile]
        profiler = cProfile.Profile()
        profiler.enable()
        offset = n if args.profile == "first" else 0  # trials the timed row has not opened yet
        for i in range(n):
            rows[chosen](i + offset)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())
    services.close()


if __name__ == "__main__":
    main()
