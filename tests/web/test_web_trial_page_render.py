"""The trial page as rendered for a first view (issue 12: a trial page at 10,000 trials).

The page's list of linked records is written from values escaped once (``TrialView.linked_escaped`` and
``registry_names``; a record can share a registry number with hundreds of others) instead of escaping each
value in the template: it must be exactly what the template's autoescaping writes, for any id.  Each
criterion's rule is said in words only in the page's language, when the page is rendered: the English page
shows the compiler's notation, the Chinese page the rule as :func:`describe_for_reader` says it.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from web_support import TODAY

#: the list as trial.html wrote it before, every value escaped by the template's autoescaping
AUTOESCAPED = ('<ul>{% for tid, reg in view.linked %}<li><a href="/trials/{{ tid }}?registry={{ reg }}">{{ tid }}</a> '
               '({{ label("registry", reg) }})</li>{% endfor %}</ul>')


@pytest.fixture(scope="module")
def services(web_db: str) -> Any:
    from hcctrials.web.services import WebServices

    opened = WebServices(web_db)
    yield opened
    opened.close()


def _render(view: Any, lang: str) -> str:
    from hcctrials.web.language import templates

    html: str = templates().get_template("trial.html").render(lang=lang, switch_url="/x", path="/trials/x",
                                                              view=view, trial=view.trial)
    return html


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_linked_records_are_escaped_as_autoescaping_would(services: Any, lang: str) -> None:
    from hcctrials.web.language import templates

    view = services.trial("NCT09990001", as_of=TODAY)
    # ids no registry issues, with every character HTML escapes (a database written by other means)
    odd = [("NCT<b>&1", "ctgov"), ('a"b\'c', "trial_finder"), ("ChiCTR2400000017", "chictr"),
           ("NCT<b>&2", "ctgov"), ("x&amp;y", "other")]
    shown = dataclasses.replace(view, linked=odd)
    page = _render(shown, lang)
    expected = templates().from_string(AUTOESCAPED).render(view=shown, lang=lang)
    assert expected in page
    assert "<b>" not in page and "&amp;amp;" in page
    assert re.findall(r"<ul><li><a href=\"/trials/.*?</ul>", page) == [expected]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_site_places_are_written_as_the_template_joined_them(services: Any, lang: str) -> None:
    """Each site's place (city, province, country in the page's language, missing parts left out) is joined
    in Python (a record can list hundreds of sites): the page shows what the template's own join wrote."""
    from hcctrials.model.trial import Site, Text
    from hcctrials.web.language import templates

    view = services.trial("NCT09990001", as_of=TODAY)
    sites = [Site(institution=Text(en="Sun Yat-sen University Cancer Center", zh="中山大学肿瘤防治中心"),
                  city=Text(en="Guangzhou", zh="广州"), province=Text(en="Guangdong"), country=Text(zh="中国")),
             Site(institution=Text(en="A & B <Hospital>"), city=Text(), country=Text(en='Korea, "Republic" of')),
             Site(institution=Text(zh="浙江大学医学院附属第一医院"), city=Text(zh="杭州"), province=Text(),
                  country=Text())]
    shown = dataclasses.replace(view, trial=view.trial.model_copy(update={"sites": sites}))
    joined = templates().from_string(
        '{% for s in trial.sites %}<td>{{ [s.city.get(lang), s.province.get(lang), s.country.get(lang)]'
        '|select|join(", ") }}</td>{% endfor %}').render(trial=shown.trial, lang=lang)
    page = _render(shown, lang)
    places = re.findall(r"</div>\n</td>(<td>[^<]*</td>)<td>", page)
    assert "".join(places) == joined and len(places) == 3
    assert "A &amp; B &lt;Hospital&gt;" in page


def test_a_page_without_linked_records_has_no_list(services: Any) -> None:
    view = services.trial("NCT09990002", as_of=TODAY)
    page = _render(dataclasses.replace(view, linked=[]), "en")
    assert "Same trial in other records" not in page


def test_rules_are_said_in_the_language_of_the_page(services: Any) -> None:
    from markupsafe import escape

    from hcctrials.criteria import compile_trial, describe
    from hcctrials.criteria.compiler.describe_i18n import describe_for_reader

    view = services.trial("NCT09990001", as_of=TODAY)
    compiled = compile_trial(view.trial)
    rules = re.compile(r'<p class="rule"><span class="muted">[^<]*:</span> <code>(.*?)</code></p>', re.S)
    assert rules.findall(_render(view, "en")) == [str(escape(describe(c.rule))) for c in compiled.criteria]
    chinese = [describe_for_reader(c.rule, "zh") or describe(c.rule) for c in compiled.criteria]
    assert rules.findall(_render(view, "zh")) == [str(escape(text)) for text in chinese]
    assert any(re.search(r"[\u4e00-\u9fff]", text) for text in chinese)  # the example's rules have Chinese words
