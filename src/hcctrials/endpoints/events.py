"""Named, printable event and censoring definitions for time-to-event endpoints.

Each endpoint is an :class:`EndpointDefinition`: a start date, event sources (the earliest
one that happened counts) and censoring sources (used when no event happened; the latest
applicable one counts), as in admiral's ``derive_param_tte`` with admiralonco's
``pd_event``, ``death_event``, ``lasta_censor``, ``rand_censor``, ``lastalive_censor``
(spec ``response-and-endpoints.md`` sections 5 and 6.1; FDA 2018 for the sensitivity
rules).  ``describe()`` prints a definition for a clinician to review (English or Chinese).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

__all__ = [
    "Source",
    "EndpointDefinition",
    "PD_EVENT",
    "DEATH_EVENT",
    "LASTA_CENSOR",
    "REF_CENSOR",
    "LASTALIVE_CENSOR",
    "NACT_CENSOR",
    "MISSED_CENSOR",
    "PFS",
    "TTP",
    "DOR",
    "OS",
    "PFS_NACT",
    "PFS_MISSED",
    "STANDARD_ENDPOINTS",
    "get_endpoint",
]

DateRule = Literal["progression", "death", "last_adequate_assessment", "start",
                   "last_known_alive"]


@dataclass(frozen=True)
class Source:
    """One event or censoring source: its name, the date it takes and the ADTTE text."""

    name: str
    kind: Literal["event", "censor"]
    date: DateRule
    cnsr: int
    evntdesc: str
    description_en: str
    description_zh: str


PD_EVENT = Source("pd_event", "event", "progression", 0, "Disease progression",
                  "first documented radiological progression (per the criteria set's PD rule)",
                  "首次影像学疾病进展(按所用疗效标准的进展规则)")
DEATH_EVENT = Source("death_event", "event", "death", 0, "Death",
                     "death from any cause", "任何原因导致的死亡")
LASTA_CENSOR = Source("lasta_censor", "censor", "last_adequate_assessment", 1,
                      "Last adequate tumour assessment",
                      "censored at the last adequate (not NE) tumour assessment",
                      "在最后一次可评估(非NE)的肿瘤评估日期删失")
REF_CENSOR = Source("rand_censor", "censor", "start", 2,
                    "No post-baseline assessment: censored at start",
                    "censored at the start date (day 1) when there is no adequate "
                    "post-baseline assessment",
                    "无基线后可评估的肿瘤评估者在起始日(第1天)删失")
LASTALIVE_CENSOR = Source("lastalive_censor", "censor", "last_known_alive", 1,
                          "Last known alive",
                          "censored at the last date known alive (last contact, assessment "
                          "or dose)", "在最后已知存活日期(末次联系、评估或给药)删失")
NACT_CENSOR = Source("nact_censor", "censor", "last_adequate_assessment", 3,
                     "Last adequate assessment before new anti-cancer therapy",
                     "censored at the last adequate assessment on or before the start of new "
                     "anti-cancer therapy; later progressions and deaths are not events",
                     "在开始新的抗肿瘤治疗当日或之前的最后一次可评估肿瘤评估删失;其后的进展或死亡不计为事件")
MISSED_CENSOR = Source("missed_censor", "censor", "last_adequate_assessment", 4,
                       "Last adequate assessment before two or more missed assessments",
                       "an event that follows two or more missed scheduled assessments is "
                       "censored at the last adequate assessment before the gap",
                       "在连续缺失两次及以上计划评估后发生的事件,于缺失前最后一次可评估的肿瘤评估删失")


@dataclass(frozen=True)
class EndpointDefinition:
    """A time-to-event endpoint: start, events, censorings, population and options."""

    paramcd: str
    param: str
    param_zh: str
    start: Literal["reference", "first_response"]
    population: Literal["treated", "responders"]
    events: tuple[Source, ...]
    censorings: tuple[Source, ...]
    censor_after_new_therapy: bool = False
    max_missed_assessments: int | None = None
    death_censored_note: bool = False

    def with_options(self, **changes: object) -> EndpointDefinition:
        """A copy with some options changed (e.g. a sensitivity analysis)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def describe(self, *, lang: str = "en") -> str:
        """A printable, reviewable statement of the definition."""
        zh = lang == "zh"
        start = {("reference", False): "the first-dose (reference) date",
                 ("first_response", False): "the first CR/PR (first of the confirmed pair)",
                 ("reference", True): "首次给药(参考)日期",
                 ("first_response", True): "首次达到CR/PR的日期(确认对中的第一次)"}[(self.start, zh)]
        pop = {("treated", False): "all treated subjects", ("responders", False): "responders only",
               ("treated", True): "所有接受治疗的受试者", ("responders", True): "仅限缓解者"}[(self.population, zh)]
        ev = "; ".join((s.description_zh if zh else s.description_en) for s in self.events)
        ce = "; ".join((s.description_zh if zh else s.description_en) for s in self.censorings)
        if zh:
            lines = [f"{self.paramcd}({self.param_zh})", f"  人群:{pop}", f"  起点:{start}",
                     f"  事件(取最早者):{ev}", f"  删失(无事件时):{ce}"]
            if self.death_censored_note:
                lines.append("  无进展的死亡不计为事件,在最后一次可评估肿瘤评估删失")
            lines.append("  时间 = 事件/删失日期 − 起点日期 + 1 天;月 = 天 / 30.4375")
        else:
            lines = [f"{self.paramcd} ({self.param})", f"  population: {pop}",
                     f"  start: {start}", f"  events (earliest counts): {ev}",
                     f"  censoring (when no event): {ce}"]
            if self.death_censored_note:
                lines.append("  death without progression is not an event: censored at the last "
                             "adequate assessment")
            lines.append("  time = event/censor date - start date + 1 day; months = days / 30.4375")
        return "\n".join(lines)


PFS = EndpointDefinition("PFS", "Progression-free survival", "无进展生存期", "reference",
                         "treated", (PD_EVENT, DEATH_EVENT), (LASTA_CENSOR, REF_CENSOR))
TTP = EndpointDefinition("TTP", "Time to progression", "疾病进展时间", "reference", "treated",
                         (PD_EVENT,), (LASTA_CENSOR, REF_CENSOR), death_censored_note=True)
DOR = EndpointDefinition("DOR", "Duration of response", "缓解持续时间", "first_response",
                         "responders", (PD_EVENT, DEATH_EVENT), (LASTA_CENSOR, REF_CENSOR))
OS = EndpointDefinition("OS", "Overall survival", "总生存期", "reference", "treated",
                        (DEATH_EVENT,), (LASTALIVE_CENSOR,))
#: FDA 2018 sensitivity: censor at the last adequate assessment before new therapy.
PFS_NACT = EndpointDefinition("PFSNACT", "PFS, censored at new anti-cancer therapy",
                              "无进展生存期(新抗肿瘤治疗时删失)", "reference", "treated",
                              (PD_EVENT, DEATH_EVENT), (NACT_CENSOR, LASTA_CENSOR, REF_CENSOR),
                              censor_after_new_therapy=True)
#: FDA 2018 sensitivity: events after >= 2 missed scheduled assessments are censored.
PFS_MISSED = EndpointDefinition("PFSMISS", "PFS, censored after two or more missed assessments",
                                "无进展生存期(连续缺失≥2次评估后删失)", "reference", "treated",
                                (PD_EVENT, DEATH_EVENT),
                                (MISSED_CENSOR, LASTA_CENSOR, REF_CENSOR),
                                max_missed_assessments=2)

STANDARD_ENDPOINTS: tuple[EndpointDefinition, ...] = (PFS, TTP, DOR, OS)
_ALL = {d.paramcd: d for d in (PFS, TTP, DOR, OS, PFS_NACT, PFS_MISSED)}


def get_endpoint(paramcd: str) -> EndpointDefinition:
    """A predefined endpoint by its PARAMCD (PFS, TTP, DOR, OS, PFSNACT, PFSMISS)."""
    from hcctrials.errors import NotFoundError

    try:
        return _ALL[paramcd.upper()]
    except KeyError:
        raise NotFoundError(f"no endpoint definition {paramcd!r}", field="paramcd",
                            value=paramcd, hint=f"choose from {', '.join(_ALL)}") from None
