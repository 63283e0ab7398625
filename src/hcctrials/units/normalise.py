"""Unit text normalisation: real-world spellings -> one canonical spelling per unit.

Lab systems, registries and hand-typed records spell the same unit many ways
(``µmol/L``, ``umol/l``, ``μmol/L``; ``×10⁹/L``, ``x10^9/L``, ``10*9/L``, ``G/L``, ``K/uL``;
``mg/dl``; ``[IU]/mL``).  :func:`normalise_unit` maps each to one spelling (close to UCUM but
readable).  Spellings that denote *numerically identical* units collapse to one token
(``10^3/uL`` = ``10^9/L``; ``/mm3`` = ``/uL``); units that are only *convertible* keep their
own token and are converted by :mod:`hcctrials.units.convert`.

Written by hand (not with a UCUM parser such as ``ucumvert``) because most inputs are not
UCUM at all (``K/uL``, ``G/L``, ``×ULN``, Chinese ``秒``) and the mapping must be reviewable.
Source for the units in use: ``hcc-domain.md`` section 5.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from hcctrials.errors import UnitError

__all__ = ["normalise_unit", "KNOWN_UNITS", "UNITLESS"]

#: The canonical token for dimensionless results (INR, ratios).
UNITLESS = "1"

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_SUPER_RUN = re.compile("([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)")

# Keys are the *cleaned* spelling (see _clean): lower case, no spaces, micro -> "u",
# multiplication signs -> "x", powers written "10^n".
_VARIANTS: dict[str, tuple[str, ...]] = {
    "umol/L": ("umol/l", "micromol/l", "micromole/l", "umol/litre", "umol/liter", "μmol/l"),
    "mmol/L": ("mmol/l", "mmol/litre", "mmol/liter", "mm/l"),
    "mEq/L": ("meq/l", "mequiv/l"),
    "mg/dL": ("mg/dl", "mg/100ml", "mg%"),
    "mg/L": ("mg/l",),
    "g/dL": ("g/dl", "g/100ml", "g%"),
    "g/L": ("g/l",),
    "ug/L": ("ug/l", "mcg/l"),
    "ng/mL": ("ng/ml", "ng/cc"),
    "ug/mL": ("ug/ml", "mcg/ml"),
    "10^9/L": (
        "10^9/l", "x10^9/l", "10*9/l", "x10*9/l", "10e9/l", "x10e9/l", "10**9/l", "e9/l",
        "10^3/ul", "x10^3/ul", "10*3/ul", "x10*3/ul", "10e3/ul", "x10e3/ul", "10**3/ul",
        "10^3/mm3", "x10^3/mm3", "10*3/mm3", "k/ul", "k/mm3", "thou/ul", "thou/mm3",
        "10^9/litre", "10^9/liter", "x10^9/litre",
    ),
    "10^12/L": ("10^12/l", "x10^12/l", "10*12/l", "10e12/l", "10^6/ul", "x10^6/ul", "m/ul"),
    "/uL": ("/ul", "1/ul", "cells/ul", "/mm3", "1/mm3", "cells/mm3", "/mm^3", "/cumm", "/cmm"),
    "/L": ("/l", "1/l", "cells/l"),
    "U/L": ("u/l", "units/l", "unit/l"),
    "IU/L": ("iu/l", "[iu]/l"),
    "ukat/L": ("ukat/l", "microkat/l"),
    "IU/mL": ("iu/ml", "[iu]/ml"),
    "log10 IU/mL": ("logiu/ml", "log10iu/ml", "log[iu]/ml", "log10[iu]/ml", "lgiu/ml",
                    "log(iu/ml)", "log10(iu/ml)"),
    "copies/mL": ("copies/ml", "copy/ml", "cp/ml", "cps/ml", "{copies}/ml", "拷贝/ml",
                  "拷贝数/ml"),
    "mAU/mL": ("mau/ml", "m[au]/ml"),
    "mIU/L": ("miu/l", "m[iu]/l", "mu/l", "uiu/ml", "u[iu]/ml"),
    "mmHg": ("mmhg", "mm[hg]", "mmofhg", "毫米汞柱"),
    "kPa": ("kpa",),
    "%": ("%", "percent", "pct"),
    "s": ("s", "sec", "secs", "second", "seconds", "秒"),
    "ms": ("ms", "msec", "millisecond", "milliseconds", "毫秒"),
    "xULN": ("xuln", "uln", "timesuln", "*uln", "倍uln", "倍正常值上限", "×uln"),
    "mL/min": ("ml/min", "ml/minute", "cc/min"),
    "mL/min/1.73m2": ("ml/min/1.73m2", "ml/min/1.73m^2", "ml/min/{1.73_m2}", "ml/min/1.73"),
    "g/24h": ("g/24h", "g/24hr", "g/24hrs", "g/24hours", "g/d", "g/day", "g/(24.h)"),
    "mg/24h": ("mg/24h", "mg/24hr", "mg/24hrs", "mg/d", "mg/day", "mg/(24.h)"),
    "mg/mmol": ("mg/mmol",),
    "mg/mg": ("mg/mg", "g/g"),
    "mg/g": ("mg/g",),
    "kg": ("kg",),
    "cm": ("cm",),
    "mm": ("mm",),
    UNITLESS: ("1", "{inr}", "inr", "{ratio}", "ratio", "{index}", "(ratio)"),
    "{dipstick}": ("{dipstick}", "dipstick", "+"),
}

_LOOKUP: dict[str, str] = {}
for _canon, _spellings in _VARIANTS.items():
    _LOOKUP[_canon.lower().replace(" ", "")] = _canon
    for _s in _spellings:
        _LOOKUP[_s] = _canon

#: Every canonical unit token that :func:`normalise_unit` can return.
KNOWN_UNITS = frozenset(_VARIANTS)

# Case-sensitive spellings checked before lower-casing ("G/L" giga vs "g/L" gram).
_CASE_SENSITIVE = {"G/L": "10^9/L", "T/L": "10^12/L", "Giga/L": "10^9/L"}


def _clean(text: str) -> str:
    t = _SUPER_RUN.sub(lambda m: "^" + m.group(1).translate(_SUPERSCRIPTS), text)
    t = unicodedata.normalize("NFKC", t)
    t = t.replace("μ", "u").replace("µ", "u").replace("㎍", "ug")
    t = t.replace("×", "x").replace("·", "").replace("⋅", "")
    t = re.sub(r"\s+", "", t).lower()
    t = t.replace("^^", "^")
    # "x 10^9" / "*10^9" prefixes: a leading multiplication sign
    if t.startswith("*10") or t.startswith("x10"):
        t = "x" + t[1:]
    t = t.replace("litre", "l").replace("liter", "l") if t.endswith(("litre", "liter")) else t
    t = t.replace("mm³", "mm3").replace("mm^3", "mm3")
    return t


@lru_cache(maxsize=4096)
def normalise_unit(text: str) -> str:
    """Return the canonical spelling of the unit *text*; :class:`UnitError` if unknown.

    >>> normalise_unit("μmol/l"), normalise_unit("×10⁹/L"), normalise_unit("K/µL")
    ('umol/L', '10^9/L', '10^9/L')
    """
    if text is None or not str(text).strip():
        raise UnitError("missing unit", value=text,
                        hint="state the unit as reported by the lab (e.g. umol/L, mg/dL)")
    raw = str(text).strip()
    if raw in _CASE_SENSITIVE:
        return _CASE_SENSITIVE[raw]
    key = _clean(raw)
    if key in _LOOKUP:
        return _LOOKUP[key]
    # a leading "x" in front of a known count unit ("x10^9/l" handled), or "*" forms
    alt = key.lstrip("x*")
    if alt in _LOOKUP:
        return _LOOKUP[alt]
    raise UnitError("unknown unit", value=text,
                    hint="use a unit such as umol/L, mg/dL, g/L, 10^9/L, /uL, U/L, IU/mL, mmHg")
