""""Autoimmune or inflammatory disorders" names two kinds of disease (issue 10, history family).

"Active or previously documented autoimmune or inflammatory diseases (including inflammatory bowel diseases
[e.g., colitis or Crohn's disease], diverticulitis [excluding diverticulosis], systemic lupus erythematosus,
sarcoidosis ...)" (durvalumab-class wording, NCT05883644, ChiCTR2600122298).  Diverticulitis and sarcoidosis are
chronic inflammatory diseases (``inflammatory_disease``), not autoimmune by name; "systemic lupus" is a disease
name, not a "systemic treatment" qualifier.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import AS_OF, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import Condition

EN = ("Active or previously documented autoimmune or inflammatory diseases (including inflammatory bowel diseases "
      "[e.g., colitis or Crohn's disease], diverticulitis [excluding diverticulosis], systemic lupus erythematosus, "
      "sarcoidosis syndrome, Wegener's syndrome [granulomatosis with polyangiitis], Graves' disease, rheumatoid "
      "arthritis, hypophysitis, uveitis, etc)")
ZH = ("活动性或既往记录的自体免疫性或炎症性疾病(包括炎症性肠病[如,结肠炎或克罗恩病]、憩室炎[憩室病除外]、系统性红斑狼疮、"
      "肉状瘤病综合征、Wegener综合征[肉芽肿伴多血管炎]、Graves病、类风湿性关节炎、垂体炎和葡萄膜炎等);")


@pytest.mark.parametrize("text", [EN, ZH])
@pytest.mark.parametrize(("condition", "expected", "why"), [
    (Condition(code="autoimmune_disease", name="rheumatoid arthritis", status="controlled"), "met", "rheumatoid arthritis"),
    (Condition(code="autoimmune_disease", name="Graves' disease", status="resolved", onset=date(2009, 1, 1),
               resolved_on=date(2010, 6, 1)), "met", "previously documented: Graves' disease treated in 2010"),
    (Condition(code="inflammatory_disease", name="recurrent sigmoid diverticulitis", status="history",
               onset=date(2021, 8, 1)), "met", "diverticulitis is named in the list"),
    (Condition(code="other", name="colonic diverticulosis", status="active"), "not_met",
     "diverticulosis without diverticulitis is excepted by the text"),
])
def test_autoimmune_or_inflammatory_disease(text: str, condition: Condition, expected: str, why: str) -> None:
    rule = compile_criterion(text, role="exclusion")
    assert is_fully_compiled(rule), describe(rule)
    patient = make_patient(conditions=[condition], history_reviewed=True)
    assert evaluate_node(rule, PatientFacts(patient, AS_OF)).status == expected, why


def test_autoimmune_alone_does_not_read_inflammatory() -> None:
    assert "inflammatory_disease" not in describe(compile_criterion("Active autoimmune disease", role="exclusion"))
