"""Concomitant medications and exposures: vocabulary and scanner of the ``medication`` leaf
(its rule: :mod:`hcctrials.criteria.evaluation.medications`).

Criteria such as "No concurrent strong CYP3A4 inhibitors (e.g., ketoconazole, ...)", "Use of St.
John's Wort or rifampin", "Therapeutic dose anticoagulation with warfarin, low molecular-weight
heparin, or similar agents", "No concurrent traditional Chinese or herbal medicine", "No concurrent
ACE inhibitors" or "At least 30 days since use of biologic response modifiers (e.g., G-CSF ...)"
become :class:`hcctrials.model.eligibility.Medication` leaves read against
``Patient.concomitant_medications`` (and the agents of ``Patient.treatments``).

Vocabulary (facts, not code, from the sources named):

* Strong / moderate CYP3A4 inhibitors and inducers: US FDA, "Drug Development and Drug Interactions:
  Table of Substrates, Inhibitors and Inducers" (clinical index drugs, 2023).  A drug the FDA table
  calls *moderate* (diltiazem, verapamil, fluconazole, erythromycin ...) or whose strength varies
  between tables (phenobarbital, dexamethasone, rifabutin) is a *possible* member of the strong
  class: the rule answers unknown for it, unless the criterion names it among its examples
  (then it counts, as the trial's authors wrote).
* Anticoagulants: vitamin K antagonists (coumarins), heparins (unfractionated, low molecular
  weight), factor Xa / thrombin inhibitors (WHO ATC B01A).  Full-dose ("therapeutic")
  anticoagulation is read from ``ConcomitantMedication.intent``; low-dose use for catheter patency
  or thrombosis prophylaxis is ``prophylactic``.
* ACE inhibitors: WHO ATC C09A/C09B.  Haematopoietic growth factors (G-CSF, GM-CSF,
  erythropoiesis-stimulating agents, thrombopoietin and its receptor agonists) and the other
  biologic response modifiers (interferons, interleukins): ATC L03A, B03XA, B02BX.
* Herbal medicine: traditional Chinese medicine preparations and herbal products (St John's
  wort, silymarin / milk thistle, sho-saiko-to).
* NSAIDs (WHO ATC M01A; aspirin also an antiplatelet, B01AC) and antiplatelet agents (B01AC);
  antidepressants (N06A) and psychostimulants (N06B); transfusions of blood components (red cells
  certain, platelets and plasma *possible* members of "blood transfusion") and albumin; pentamidine.
  Whole-criterion readers using them: :mod:`hcctrials.criteria.families.medication_readers`.

Rule (``evaluation.medications.evaluate_medication``): *met* when a medication of the filter is taken on the evaluation
date (``within_days`` None) or was taken within the window; *unknown* when a medication in the
time frame has a name the vocabulary does not know (and no ``drug_class``), when a matching one
lacks the dates or intent that decide it, or when no medication is recorded and the history is not
reviewed (``Patient.history_reviewed``; an empty list is "none recorded", not "none"); otherwise
*not met*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from hcctrials.criteria.families.therapy import therapy_tags
from hcctrials.criteria.grammar import Context, Hit
from hcctrials.model.eligibility import Allergy, Medication, Node, Not

__all__ = ["scan_medications", "medication_tags", "describe_medication", "CLASS_WORDS"]


@dataclass(frozen=True)
class _Drug:
    id: str
    classes: frozenset[str]
    possible: frozenset[str]  # classes the drug may belong to (strength varies / moderate)
    names: tuple[str, ...]


_S_INH = "strong_cyp3a4_inhibitor"
_S_IND = "strong_cyp3a4_inducer"
_AC = "anticoagulant"
_AA = "antiarrhythmic_not_bb_digoxin"  # anti-arrhythmic drugs other than beta blockers and digoxin (see _DRUGS)


def _d(id_: str, classes: str, names: str, possible: str = "") -> _Drug:
    return _Drug(id_, frozenset(classes.split()), frozenset(possible.split()),
                 tuple(n.strip() for n in names.split("|") if n.strip()))


#: The medication vocabulary: id, classes, names (generic, brand, Chinese), possible classes.
_DRUGS: tuple[_Drug, ...] = (
    # strong CYP3A4 inhibitors (FDA)
    _d("ketoconazole", f"{_S_INH} azole", "ketoconazole|酮康唑"),
    _d("itraconazole", f"{_S_INH} azole", "itraconazole|伊曲康唑"),
    _d("posaconazole", f"{_S_INH} azole", "posaconazole|泊沙康唑"),
    _d("voriconazole", f"{_S_INH} azole", "voriconazole|伏立康唑"),
    _d("clarithromycin", f"{_S_INH} macrolide", "clarithromycin|克拉霉素"),
    _d("telithromycin", f"{_S_INH} macrolide", "telithromycin"),
    _d("ritonavir", f"{_S_INH} hiv_protease_inhibitor", "ritonavir|利托那韦"),
    _d("lopinavir", f"{_S_INH} hiv_protease_inhibitor", "lopinavir|lopinavir/ritonavir|kaletra|洛匹那韦"),
    _d("indinavir", f"{_S_INH} hiv_protease_inhibitor", "indinavir"),
    _d("nelfinavir", f"{_S_INH} hiv_protease_inhibitor", "nelfinavir"),
    _d("saquinavir", f"{_S_INH} hiv_protease_inhibitor", "saquinavir"),
    _d("tipranavir", f"{_S_INH} hiv_protease_inhibitor", "tipranavir"),
    _d("atazanavir", "hiv_protease_inhibitor", "atazanavir", possible=_S_INH),
    _d("darunavir", "hiv_protease_inhibitor", "darunavir", possible=_S_INH),
    _d("cobicistat", _S_INH, "cobicistat"),
    _d("nefazodone", f"{_S_INH} antidepressant", "nefazodone"),
    _d("boceprevir", _S_INH, "boceprevir"),
    _d("telaprevir", _S_INH, "telaprevir"),
    _d("conivaptan", _S_INH, "conivaptan"),
    _d("idelalisib", _S_INH, "idelalisib"),
    _d("mibefradil", _S_INH, "mibefradil"),
    # moderate CYP3A4 inhibitors (FDA): possible members of the strong class
    # (class IV anti-arrhythmics too: possible members of "anti-arrhythmic therapy other than beta blockers or digoxin",
    # where they may be given for rate control as those are)
    _d("diltiazem", "moderate_cyp3a4_inhibitor calcium_channel_blocker", "diltiazem|地尔硫卓|地尔硫䓬",
       possible=f"{_S_INH} {_AA}"),
    _d("verapamil", "moderate_cyp3a4_inhibitor calcium_channel_blocker", "verapamil|维拉帕米", possible=f"{_S_INH} {_AA}"),
    _d("fluconazole", "moderate_cyp3a4_inhibitor azole", "fluconazole|氟康唑", possible=_S_INH),
    _d("erythromycin", "moderate_cyp3a4_inhibitor macrolide", "erythromycin|红霉素", possible=_S_INH),
    _d("aprepitant", "moderate_cyp3a4_inhibitor", "aprepitant|阿瑞匹坦", possible=_S_INH),
    _d("ciprofloxacin", "moderate_cyp3a4_inhibitor", "ciprofloxacin|环丙沙星", possible=_S_INH),
    _d("dronedarone", "moderate_cyp3a4_inhibitor", "dronedarone", possible=_S_INH),
    _d("fluvoxamine", "moderate_cyp3a4_inhibitor antidepressant", "fluvoxamine|氟伏沙明", possible=_S_INH),
    _d("cyclosporine", "moderate_cyp3a4_inhibitor immunosuppressant", "cyclosporine|ciclosporin|cyclosporin|环孢素",
       possible=_S_INH),
    _d("grapefruit", "", "grapefruit|grapefruit juice|西柚|葡萄柚", possible=_S_INH),
    # strong CYP3A4 inducers (FDA)
    _d("rifampicin", f"{_S_IND} rifamycin", "rifampicin|rifampin|rifadin|利福平"),
    _d("carbamazepine", f"{_S_IND} antiepileptic", "carbamazepine|tegretol|卡马西平"),
    _d("phenytoin", f"{_S_IND} antiepileptic", "phenytoin|dilantin|苯妥英|苯妥英钠"),
    _d("st_johns_wort", f"{_S_IND} herbal", "st. john's wort|st john's wort|st. johns wort|st johns wort|"
       "st. john’s wort|st john’s wort|hypericum perforatum|hypericum|圣约翰草|贯叶连翘"),
    _d("enzalutamide", _S_IND, "enzalutamide|恩扎卢胺"),
    _d("apalutamide", _S_IND, "apalutamide|阿帕他胺"),
    _d("mitotane", _S_IND, "mitotane|米托坦"),
    _d("lumacaftor", _S_IND, "lumacaftor"),
    _d("ivosidenib", _S_IND, "ivosidenib"),
    # inducers whose strength varies between tables: possible strong inducers
    _d("phenobarbital", "antiepileptic cyp3a4_inducer", "phenobarbital|phenobarbitone|苯巴比妥", possible=_S_IND),
    _d("fosphenytoin", "antiepileptic cyp3a4_inducer", "fosphenytoin", possible=_S_IND),
    _d("primidone", "antiepileptic cyp3a4_inducer", "primidone|扑米酮", possible=_S_IND),
    _d("rifabutin", "rifamycin cyp3a4_inducer", "rifabutin|利福布汀", possible=_S_IND),
    _d("rifapentine", "rifamycin cyp3a4_inducer", "rifapentine|利福喷丁", possible=_S_IND),
    _d("efavirenz", "cyp3a4_inducer", "efavirenz|依非韦伦", possible=_S_IND),
    _d("dexamethasone", "corticosteroid cyp3a4_inducer", "dexamethasone|地塞米松", possible=_S_IND),
    # corticosteroids and immunosuppressants (no CYP3A4 class of their own here)
    _d("prednisone", "corticosteroid systemic_only_form", "prednisone|泼尼松"),
    _d("prednisolone", "corticosteroid", "prednisolone|泼尼松龙"),
    _d("methylprednisolone", "corticosteroid", "methylprednisolone|甲泼尼龙|甲基强的松龙"),
    _d("hydrocortisone", "corticosteroid", "hydrocortisone|氢化可的松"),
    _d("tacrolimus", "immunosuppressant", "tacrolimus|他克莫司", possible="moderate_cyp3a4_inhibitor"),
    _d("mycophenolate", "immunosuppressant", "mycophenolate|mycophenolate mofetil|吗替麦考酚酯"),
    _d("sirolimus", "immunosuppressant", "sirolimus|西罗莫司"),
    _d("azathioprine", "immunosuppressant", "azathioprine|硫唑嘌呤"),
    _d("betamethasone", "corticosteroid", "betamethasone|倍他米松"),
    _d("triamcinolone", "corticosteroid", "triamcinolone|曲安奈德|曲安西龙"),
    _d("cortisone", "corticosteroid systemic_only_form", "cortisone|可的松"),
    _d("fludrocortisone", "corticosteroid systemic_only_form", "fludrocortisone|氟氢可的松"),
    _d("budesonide", "corticosteroid", "budesonide|布地奈德"),
    _d("infliximab", "immunosuppressant tnf_inhibitor", "infliximab|remicade|英夫利西单抗"),
    _d("adalimumab", "immunosuppressant tnf_inhibitor", "adalimumab|humira|阿达木单抗"),
    _d("etanercept", "immunosuppressant tnf_inhibitor", "etanercept|enbrel|依那西普"),
    _d("tocilizumab", "immunosuppressant", "tocilizumab|托珠单抗"),
    _d("abatacept", "immunosuppressant", "abatacept|阿巴西普"),
    _d("leflunomide", "immunosuppressant", "leflunomide|来氟米特"),
    _d("basiliximab", "immunosuppressant", "basiliximab|巴利昔单抗"),
    # immunosuppressive in some uses (transplant, autoimmune) and anticancer or immunomodulating in others
    _d("everolimus", "mtor", "everolimus|rad001|afinitor|zortress|依维莫司", possible="immunosuppressant"),
    _d("methotrexate", "antimetabolite", "methotrexate|甲氨蝶呤", possible="immunosuppressant"),
    _d("cyclophosphamide", "alkylating", "cyclophosphamide|环磷酰胺", possible="immunosuppressant"),
    _d("hydroxychloroquine", "antimalarial", "hydroxychloroquine|羟氯喹", possible="immunosuppressant"),
    # anticoagulants (ATC B01A)
    _d("warfarin", f"{_AC} vitamin_k_antagonist coumarin", "warfarin|coumadin|华法林"),
    _d("acenocoumarol", f"{_AC} vitamin_k_antagonist coumarin", "acenocoumarol|sintrom"),
    _d("phenprocoumon", f"{_AC} vitamin_k_antagonist coumarin", "phenprocoumon|marcumar"),
    _d("lmwh", f"{_AC} heparin lmwh", "low molecular weight heparin|low molecular-weight heparin|low-molecular-weight "
       "heparin|lmwh|低分子肝素|低分子量肝素"),
    _d("enoxaparin", f"{_AC} heparin lmwh", "enoxaparin|lovenox|clexane|依诺肝素"),
    _d("dalteparin", f"{_AC} heparin lmwh", "dalteparin|fragmin|达肝素"),
    _d("nadroparin", f"{_AC} heparin lmwh", "nadroparin|fraxiparine|那屈肝素"),
    _d("tinzaparin", f"{_AC} heparin lmwh", "tinzaparin"),
    _d("heparin", f"{_AC} heparin", "heparin|unfractionated heparin|iv heparin|肝素|普通肝素"),
    _d("fondaparinux", f"{_AC} factor_xa_inhibitor", "fondaparinux|磺达肝癸钠"),
    _d("rivaroxaban", f"{_AC} doac factor_xa_inhibitor", "rivaroxaban|xarelto|利伐沙班"),
    _d("apixaban", f"{_AC} doac factor_xa_inhibitor", "apixaban|eliquis|阿哌沙班"),
    _d("edoxaban", f"{_AC} doac factor_xa_inhibitor", "edoxaban|艾多沙班"),
    _d("dabigatran", f"{_AC} doac thrombin_inhibitor", "dabigatran|pradaxa|达比加群"),
    # antiplatelets (not anticoagulants)
    _d("aspirin", "antiplatelet nsaid", "aspirin|acetylsalicylic acid|阿司匹林"),
    _d("clopidogrel", "antiplatelet", "clopidogrel|plavix|氯吡格雷"),
    # ACE inhibitors (ATC C09A)
    *(_d(n, "ace_inhibitor", f"{n}|{zh}") for n, zh in (
        ("captopril", "卡托普利"), ("enalapril", "依那普利"), ("lisinopril", "赖诺普利"), ("ramipril", "雷米普利"),
        ("perindopril", "培哚普利"), ("benazepril", "贝那普利"), ("fosinopril", "福辛普利"), ("quinapril", "喹那普利"),
        ("trandolapril", "群多普利"), ("moexipril", "moexipril"), ("cilazapril", "西拉普利"), ("imidapril", "咪达普利"),
        ("zofenopril", "zofenopril"))),
    # haematopoietic growth factors and other biologic response modifiers (ATC L03A, B03XA, B02BX)
    _d("g_csf", "g_csf haematopoietic_growth_factor biologic_response_modifier",
       "g-csf|granulocyte colony-stimulating factor|granulocyte colony stimulating factor|粒细胞集落刺激因子"),
    _d("filgrastim", "g_csf haematopoietic_growth_factor biologic_response_modifier", "filgrastim|neupogen|非格司亭"),
    _d("pegfilgrastim", "g_csf haematopoietic_growth_factor biologic_response_modifier",
       "pegfilgrastim|neulasta|聚乙二醇化重组人粒细胞刺激因子|培非格司亭"),
    _d("lenograstim", "g_csf haematopoietic_growth_factor biologic_response_modifier", "lenograstim|来格司亭"),
    _d("sargramostim", "gm_csf haematopoietic_growth_factor biologic_response_modifier",
       "sargramostim|gm-csf|leukine|沙格司亭"),
    _d("epoetin", "esa haematopoietic_growth_factor biologic_response_modifier",
       "epoetin|epoetin alfa|erythropoietin|epo|促红细胞生成素|促红素"),
    _d("darbepoetin", "esa haematopoietic_growth_factor biologic_response_modifier", "darbepoetin|aranesp"),
    _d("thrombopoietin", "tpo haematopoietic_growth_factor biologic_response_modifier",
       "thrombopoietin|rhtpo|重组人血小板生成素"),
    _d("romiplostim", "tpo haematopoietic_growth_factor biologic_response_modifier", "romiplostim|罗米司亭"),
    _d("eltrombopag", "tpo haematopoietic_growth_factor biologic_response_modifier", "eltrombopag|艾曲泊帕"),
    _d("avatrombopag", "tpo haematopoietic_growth_factor biologic_response_modifier", "avatrombopag|阿伐曲泊帕"),
    _d("lusutrombopag", "tpo haematopoietic_growth_factor biologic_response_modifier", "lusutrombopag|芦曲泊帕"),
    _d("interferon", "interferon biologic_response_modifier",
       "interferon|interferon alfa|peginterferon|peginterferon alfa|干扰素|聚乙二醇干扰素"
       "|interferon alfa-2a|interferon alfa-2b|interferon alpha|interferon-alpha|peginterferon alfa-2a|peginterferon alfa-2b"
       "|pegylated interferon|聚乙二醇干扰素α-2a|聚乙二醇干扰素α-2b|干扰素α"),
    _d("interleukin_2", "interleukin biologic_response_modifier", "interleukin-2|aldesleukin|白介素-2|白细胞介素-2"),
    _d("thymalfasin", "immunomodulator", "thymalfasin|thymosin alpha 1|thymosin alpha-1|胸腺法新",
       possible="biologic_response_modifier"),
    # non-steroidal anti-inflammatory drugs (WHO ATC M01A; aspirin above, also an antiplatelet) and antiplatelet agents
    # (ATC B01AC); metamizole is a pyrazolone analgesic (N02BB) some tables call an NSAID: a possible member
    *(_d(n.split("|")[0], "nsaid", n) for n in (
        "ibuprofen|布洛芬", "naproxen|萘普生", "diclofenac|双氯芬酸|双氯芬酸钠", "celecoxib|塞来昔布", "etoricoxib|依托考昔",
        "meloxicam|美洛昔康", "indomethacin|indometacin|吲哚美辛", "ketorolac|酮咯酸", "piroxicam|吡罗昔康",
        "ketoprofen|酮洛芬", "dexketoprofen|右酮洛芬", "nimesulide|尼美舒利", "aceclofenac|醋氯芬酸", "loxoprofen|洛索洛芬",
        "flurbiprofen|氟比洛芬", "etodolac|依托度酸", "nabumetone|萘丁美酮", "sulindac|舒林酸", "parecoxib|帕瑞昔布",
        "mefenamic acid|甲芬那酸", "lornoxicam|氯诺昔康")),
    _d("metamizole", "", "metamizole|dipyrone|metamizol|安乃近", possible="nsaid"),
    *(_d(n.split("|")[0], "antiplatelet", n) for n in (
        "ticagrelor|替格瑞洛", "prasugrel|普拉格雷", "ticlopidine|噻氯匹定", "cilostazol|西洛他唑", "dipyridamole|双嘧达莫",
        "indobufen|吲哚布芬")),
    # antidepressants (WHO ATC N06A: SSRIs, SNRIs, tricyclics, MAO inhibitors, others) and psychostimulants (N06B
    # centrally acting sympathomimetics); modafinil is a wakefulness-promoting agent some tables group with them
    *(_d(n.split("|")[0], "antidepressant", n) for n in (
        "fluoxetine|氟西汀", "sertraline|舍曲林", "paroxetine|帕罗西汀", "citalopram|西酞普兰", "escitalopram|艾司西酞普兰",
        "venlafaxine|文拉法辛", "desvenlafaxine|去甲文拉法辛", "duloxetine|度洛西汀", "milnacipran|米那普仑",
        "amitriptyline|阿米替林", "nortriptyline|去甲替林", "imipramine|丙米嗪", "clomipramine|氯米帕明", "doxepin|多塞平",
        "desipramine|地昔帕明", "mirtazapine|米氮平", "bupropion|安非他酮", "trazodone|曲唑酮", "agomelatine|阿戈美拉汀",
        "vortioxetine|伏硫西汀", "vilazodone|维拉唑酮", "moclobemide|吗氯贝胺", "phenelzine|苯乙肼",
        "tranylcypromine|反苯环丙胺", "reboxetine|瑞波西汀", "mianserin|米安色林",
        "flupentixol/melitracen|flupentixol and melitracen|deanxit|氟哌噻吨美利曲辛|黛力新")),
    *(_d(n.split("|")[0], "psychostimulant", n) for n in (
        "methylphenidate|ritalin|哌甲酯", "dexmethylphenidate|右哌甲酯", "amphetamine|苯丙胺|安非他明",
        "dextroamphetamine|dexamfetamine|右苯丙胺", "lisdexamfetamine|赖右苯丙胺")),
    _d("modafinil", "", "modafinil|armodafinil|莫达非尼", possible="psychostimulant"),
    # other exposures trial texts name: pentamidine (an antiprotozoal), transfusions of blood components and albumin.
    # "Blood transfusion" is certainly red cells or whole blood; a platelet or plasma transfusion may be meant too
    _d("pentamidine", "", "pentamidine|pentam|nebupent|喷他脒"),
    _d("red_cell_transfusion", "blood_transfusion", "blood transfusion|red blood cell transfusion|red cell transfusion"
       "|packed red blood cells|packed red cells|prbc|rbc transfusion|whole blood transfusion|输血|红细胞输注|输红细胞"
       "|悬浮红细胞|去白悬浮红细胞|红细胞悬液"),
    _d("platelet_transfusion", "blood_product", "platelet transfusion|platelet concentrate|血小板输注|输血小板|单采血小板",
       possible="blood_transfusion"),
    _d("plasma_transfusion", "blood_product", "fresh frozen plasma|ffp|plasma transfusion|cryoprecipitate|新鲜冰冻血浆"
       "|血浆输注|输血浆|冷沉淀", possible="blood_transfusion"),
    _d("albumin", "albumin_infusion", "albumin|human albumin|human serum albumin|albumin infusion|albumin transfusion"
       "|人血白蛋白|白蛋白|人血清白蛋白|白蛋白输注"),
    # issue 10 (session 6): anti-arrhythmic drugs other than beta blockers and digoxin (Vaughan Williams classes I and III;
    # ESC 2020 atrial fibrillation guideline, rhythm-control drugs), for "arrhythmias requiring anti-arrhythmic therapy other
    # than beta blockers or digoxin"; sotalol is a beta blocker with class III action: a possible member only
    _d("amiodarone", _AA, "amiodarone|cordarone|胺碘酮"),
    _d("dronedarone", f"{_AA} moderate_cyp3a4_inhibitor", "dronedarone|multaq|决奈达隆", possible=_S_INH),
    _d("flecainide", _AA, "flecainide|氟卡尼"),
    _d("propafenone", _AA, "propafenone|普罗帕酮"),
    _d("dofetilide", _AA, "dofetilide|多非利特"),
    _d("ibutilide", _AA, "ibutilide|伊布利特"),
    _d("disopyramide", _AA, "disopyramide|丙吡胺"),
    _d("quinidine", _AA, "quinidine|奎尼丁"),
    _d("procainamide", _AA, "procainamide|普鲁卡因胺"),
    _d("mexiletine", _AA, "mexiletine|美西律"),
    _d("sotalol", "", "sotalol|索他洛尔", possible=_AA),
    _d("digoxin", "", "digoxin|lanoxin|地高辛"),
    *(_d(n.split("|")[0], "", n) for n in ("bisoprolol|比索洛尔", "atenolol|阿替洛尔", "nebivolol|奈必洛尔")),
    # herbal and traditional Chinese medicine
    _d("silymarin", "herbal", "silymarin|silymarine|milk thistle|水飞蓟|水飞蓟宾|水飞蓟素"),
    _d("sho_saiko_to", "herbal tcm", "sho-saiko-to|sho saiko to|xiao chai hu tang|小柴胡汤"),
    _d("huaier", "herbal tcm", "huaier|huaier granule|槐耳|槐耳颗粒"),
    _d("cinobufacini", "herbal tcm", "cinobufacini|huachansu|华蟾素"),
    _d("kanglaite", "herbal tcm", "kanglaite|康莱特"),
    _d("ginkgo", "herbal", "ginkgo|ginkgo biloba|银杏叶"),
    _d("tcm", "herbal tcm", "traditional chinese medicine|chinese herbal medicine|中药|中成药|中草药"),
    # common drugs of people with HCC/cirrhosis that belong to none of the classes above
    *(_d(n.split("|")[0], "", n) for n in (
        "entecavir|恩替卡韦", "tenofovir|tenofovir disoproxil|tenofovir alafenamide|替诺福韦|丙酚替诺福韦",
        "lamivudine|拉米夫定", "adefovir|阿德福韦", "telbivudine|替比夫定", "propranolol|普萘洛尔",
        "carvedilol|卡维地洛", "nadolol|纳多洛尔", "metoprolol|美托洛尔", "spironolactone|螺内酯",
        "furosemide|呋塞米", "torasemide|torsemide|托拉塞米", "lactulose|乳果糖", "rifaximin|利福昔明",
        "metformin|二甲双胍", "insulin|胰岛素", "omeprazole|奥美拉唑", "pantoprazole|泮托拉唑",
        "esomeprazole|埃索美拉唑", "lansoprazole|兰索拉唑", "amlodipine|氨氯地平", "nifedipine|硝苯地平",
        "losartan|氯沙坦", "valsartan|缬沙坦", "irbesartan|厄贝沙坦", "telmisartan|替米沙坦",
        "hydrochlorothiazide|氢氯噻嗪", "levothyroxine|左甲状腺素", "ursodeoxycholic acid|ursodiol|熊去氧胆酸",
        "paracetamol|acetaminophen|对乙酰氨基酚", "atorvastatin|阿托伐他汀", "rosuvastatin|瑞舒伐他汀",
        "gliclazide|格列齐特", "sitagliptin|西格列汀", "acarbose|阿卡波糖", "morphine|吗啡",
        "oxycodone|羟考酮", "tramadol|曲马多", "ondansetron|昂丹司琼", "loperamide|洛哌丁胺",
        "vitamin k|维生素k", "calcium carbonate|碳酸钙", "vitamin d|维生素d")),
)


def _by_name() -> dict[str, _Drug]:
    out: dict[str, _Drug] = {}
    for drug in _DRUGS:
        for name in drug.names:
            out[name.lower()] = drug
    return out


_NAMES = _by_name()
_BY_ID = {d.id: d for d in _DRUGS}


@lru_cache(maxsize=4096)
def medication_tags(name: str) -> tuple[str | None, frozenset[str], frozenset[str]]:
    """(vocabulary id, classes, possible classes) of a medication name as written; (None, {}, {})
    when the vocabulary does not know it."""
    key = " ".join(name.strip().lower().replace("’", "'").split())
    drug = _NAMES.get(key)
    if drug is None:
        key2 = re.sub(r"\s*\d.*$|\s+(?:tablets?|capsules?|injection|oral|iv|sc|sodium|potassium|hydrochloride)\b.*$", "", key)
        drug = _NAMES.get(key2)
    if drug is None:
        return None, frozenset(), frozenset()
    return drug.id, drug.classes, drug.possible


def medication_name(drug_id: str, lang: str) -> str | None:
    """The vocabulary's first name of *drug_id* in *lang* ('zh': its first Chinese name), else None."""
    drug = _BY_ID.get(drug_id)
    if drug is None or lang != "zh":
        return None
    return next((n for n in drug.names if re.search(r"[\u4e00-\u9fff]", n)), None)


CLASS_WORDS = {
    _S_INH: "strong CYP3A4 inhibitor", _S_IND: "strong CYP3A4 inducer", _AC: "anticoagulant",
    "vitamin_k_antagonist": "coumarin (vitamin K antagonist)", "herbal": "herbal / traditional Chinese medicine",
    "ace_inhibitor": "ACE inhibitor", "biologic_response_modifier": "biologic response modifier",
    "haematopoietic_growth_factor": "haematopoietic growth factor", "hiv_protease_inhibitor": "HIV protease inhibitor",
    "corticosteroid": "steroid", "immunosuppressant": "immunosuppressive agent",
    _AA: "anti-arrhythmic drug other than beta blockers or digoxin",
    "nsaid": "non-steroidal anti-inflammatory drug", "antiplatelet": "antiplatelet agent",
    "blood_transfusion": "blood transfusion", "albumin_infusion": "albumin infusion",
    "antidepressant": "antidepressant", "psychostimulant": "psychostimulant",
}


def describe_medication(node: Medication) -> str:
    """"medication: strong CYP3A4 inhibitor/ketoconazole, current"."""
    what = [CLASS_WORDS.get(c, c) for c in node.classes] + list(node.agents)
    text = "medication: " + "/".join(what)
    if node.systemic_only:
        text += " systemic"
    if node.therapeutic_only:
        text += " at therapeutic dose"
    if node.chronic:
        text += " chronic (≥ 90 d)"
    if node.dose_above_mg_per_day is not None:
        text += f" > {node.dose_above_mg_per_day:g} mg/day"
    if node.min_days_on is not None:
        text += f" for > {node.min_days_on} d"
    if node.unable_to_stop:
        text += " that cannot be stopped"
    if node.except_agents:
        text += " except " + ", ".join(node.except_agents)
    text += ", current" if node.within_days is None else f", within {node.within_days} d"
    return text


# ---------------------------------------------------------------------------- scanner

_NAME_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(_NAMES, key=len, reverse=True)
                                 if not re.search(r"[\u4e00-\u9fff]", n)) + r")(?![\w-])"
    r"|(?:" + "|".join(re.escape(n) for n in sorted(_NAMES, key=len, reverse=True)
                       if re.search(r"[\u4e00-\u9fff]", n)) + ")",
    re.IGNORECASE)

# "concurrent", "concomitant use of", "comedication with", "use of", "taking", "currently receiving"
_CURRENT = (r"(?:(?:concurrent|concomitant)(?:\s+(?:use|treatment|therapy|administration))?(?:\s+(?:of|with))?"
            r"|co-?medication\s+with|(?:current\s+)?use\s+of(?:\s+regular)?|(?:be\s+|are\s+|is\s+)?(?:currently\s+)?taking"
            r"|currently\s+(?:receiving|taking|using|on))")
_STRONG = r"(?:known\s+)?(?:strong|potent)\s+"
_CYP = r"(?:cytochrome\s+p450\s+3a4\s*\(cyp3a4\)|cyp\s?3a4(?:/5)?|cyp\s?3a)"
_CYP_CLASS = re.compile(
    rf"{_STRONG}{_CYP}\s+(?P<a>inhibitors?|inducers?)(?:\s*\*)?(?:\s+or\s+(?:{_STRONG})?(?P<b>inhibitors?|inducers?))?"
    rf"|{_STRONG}(?P<c>inhibitors?|inducers?)(?:\s+or\s+{_STRONG}(?P<d>inhibitors?|inducers?))?\s+of\s+{_CYP}",
    re.IGNORECASE)
_EXAMPLE_LIST = re.compile(r"\s*[(\[]\s*(?:e\.\s?g\.?|eg|for example|such as|including)[,:]?\s*(?P<body>[^()\[\]]+)[)\]]",
                           re.IGNORECASE)
_ANTICOAG = re.compile(
    r"(?P<dose>therapeutic(?:\s+dose)?|full[- ]dose)\s+(?:oral\s+|parenteral\s+)?anti-?coagula(?:tion|nts?|nt\s+therapy)"
    r"(?:\s+(?:with|using)\s+(?P<body>[^.;]+?))?(?=$|[.;]|\s*\()", re.IGNORECASE)
_HERBAL = re.compile(
    r"traditional\s+chinese\s+(?:or\s+herbal\s+)?medicines?|(?:chinese\s+)?herbal\s+(?:medicines?|remed(?:y|ies)|products?)"
    r"|中药|中成药|中草药", re.IGNORECASE)
_ACE = re.compile(r"angiotens(?:in|ion)[- ]converting[- ]enzyme\s+inhibitors?(?:\s*\(ace-?is?\))?|\bace[- ]inhibitors?\b",
                  re.IGNORECASE)
_CHRONIC_STEROIDS = re.compile(
    r"chronic\s+(?:treatment\s+with\s+|use\s+of\s+|therapy\s+with\s+)?(?P<sys>systemic\s+)(?:cortico)?steroids?"
    r"(?:\s+therapy)?\s+or\s+(?:an)?other\s+immunosuppressive\s+agents?", re.IGNORECASE)
_BRM = re.compile(r"biologic(?:al)?\s+response\s+modifiers?", re.IGNORECASE)
_SINCE = re.compile(r"(?P<cmp>at least|more than|≥|>)\s*(?P<n>\d+)\s*(?P<u>days?|weeks?|months?)\s+since\s+(?:(?:prior\s+)?use\s+of"
                    r"|prior)\s+$", re.IGNORECASE)
_SEP = re.compile(r"^(?:\s*(?:,|;|/|\bor\b|\band\b|\band/or\b|\[also known as|\]|\(|\)|\[))*\s*$", re.IGNORECASE)
_UNIT = {"day": 1, "week": 7, "month": 30}


def _names_in(body: str) -> list[str] | None:
    """Vocabulary ids of an example list ("ketoconazole, itraconazole, and protease inhibitors") when
    every item is read, else None."""
    ids: list[str] = []
    pos = 0
    rest = body
    for m in _NAME_RE.finditer(body):
        gap = body[pos:m.start()]
        if not _SEP.match(gap):
            return None
        tid, _c, _p = medication_tags(m.group(0))
        if tid is None:
            return None
        ids.append(tid)
        pos = m.end()
    rest = body[pos:]
    tail = re.match(r"^\s*(?:,\s*)?(?:and\s+|or\s+)?(?P<cls>(?:hiv\s+)?protease\s+inhibitors)\s*$", rest, re.IGNORECASE)
    if tail:
        ids.append("class:hiv_protease_inhibitor")
    elif not _SEP.match(rest) and not re.match(r"^\s*(?:,?\s*etc\.?)?\s*$", rest):
        return None
    return ids or None


def _filter(ids: list[str]) -> tuple[list[str], list[str]]:
    agents = [i for i in ids if not i.startswith("class:")]
    classes = [i.split(":", 1)[1] for i in ids if i.startswith("class:")]
    return agents, classes


def _current_before(text: str, start: int) -> int | None:
    """Start of a 'current use' cue right before *start* (with 'known'), else None."""
    m = re.search(rf"{_CURRENT}\s+(?:any\s+)?(?:known\s+)?$", text[:start], re.IGNORECASE)
    return m.start() if m else None


def scan_medications(ctx: Context) -> list[Hit]:
    """Medication criteria of this module (see the module docstring); each hit covers exactly the
    words it read, so anything else in the criterion is left to the other scanners or to review."""
    text = ctx.lower
    hits: list[Hit] = []
    # strong CYP3A4 inhibitors / inducers, currently used
    for m in _CYP_CLASS.finditer(text):
        cue = _current_before(text, m.start())
        if cue is None:
            continue
        kinds = {g[:7] for g in (m.group("a"), m.group("b"), m.group("c"), m.group("d")) if g}
        classes = [c for k, c in (("inhibit", _S_INH), ("inducer", _S_IND)) if k in kinds]
        end = m.end()
        agents: list[str] = []
        ex = _EXAMPLE_LIST.match(text, end)
        if ex:
            ids = _names_in(ex.group("body"))
            if ids is None:
                continue  # an example the vocabulary does not read: leave the criterion to review
            extra_agents, extra_classes = _filter(ids)
            agents += extra_agents
            classes += [c for c in extra_classes if c not in classes]
            end = ex.end()
        node = Medication(agents=agents, classes=classes, label=ctx.text[m.start():m.end()])
        hits.append(Hit(cue, end, node, priority=8, family="medication"))
    # therapeutic / full-dose anticoagulation
    for m in _ANTICOAG.finditer(text):
        start = _current_before(text, m.start())
        start = m.start() if start is None else start
        body = m.group("body")
        if body is None:
            node = Medication(classes=[_AC], therapeutic_only=True, label=ctx.text[m.start():m.end()])
        else:
            body_l = body.strip()
            similar = re.search(r",?\s*(?:or|and)\s+(?:other\s+)?similar\s+(?:agents|drugs)\s*$", body_l)
            coumarin = re.fullmatch(r"coumarins?(?:\s+derivatives?)?|(?:oral\s+)?vitamin k antagonists?", body_l)
            if coumarin:
                node = Medication(classes=["vitamin_k_antagonist"], therapeutic_only=True, label=ctx.text[m.start():m.end()])
            else:
                ids = _names_in(body_l[:similar.start()] if similar else body_l)
                if ids is None:
                    continue
                agents, classes = _filter(ids)
                if similar:
                    node = Medication(classes=[_AC], therapeutic_only=True, label=ctx.text[m.start():m.end()])
                else:
                    node = Medication(agents=agents, classes=classes, therapeutic_only=True,
                                      label=ctx.text[m.start():m.end()])
        hits.append(Hit(start, m.end(), node, priority=8, family="medication"))
    # herbal / traditional Chinese medicine, ACE inhibitors: current use
    for pattern, cls in ((_HERBAL, "herbal"), (_ACE, "ace_inhibitor")):
        for m in pattern.finditer(text):
            cue = _current_before(text, m.start())
            if cue is None:
                continue
            end = m.end()
            agents = []
            ex = _EXAMPLE_LIST.match(text, end)
            if ex:
                ids = _names_in(ex.group("body"))
                if ids is None:
                    continue
                agents = _filter(ids)[0]
                end = ex.end()
            hits.append(Hit(cue, end, Medication(classes=[cls], agents=agents, label=ctx.text[m.start():m.end()]),
                            priority=8, family="medication"))
    # "Chronic treatment with systemic steroids or another immunosuppressive agent", "No chronic systemic steroids or
    # other immunosuppressive agents" (without "systemic" the audit of 2026-12-04 keeps it for review:
    # tests/criteria/compiler/test_compiler_precision_audits.py)
    for m in _CHRONIC_STEROIDS.finditer(text):
        systemic = bool(m.group("sys"))
        node = Medication(classes=["corticosteroid", "immunosuppressant"], chronic=True, systemic_only=systemic,
                          label=ctx.text[m.start():m.end()])
        hits.append(Hit(m.start(), m.end(), node, priority=8, family="medication"))
    # "At least 30 days since use of biologic response modifiers (e.g., G-CSF and other hematopoietic growth factors)"
    for m in _BRM.finditer(text):
        since = _SINCE.search(text[:m.start()])
        if since is None:
            continue
        end = m.end()
        ex = _EXAMPLE_LIST.match(text, end)
        if ex:
            body = ex.group("body")
            if not re.fullmatch(r"\s*g-csf(?:\s*(?:,|and)\s*(?:other\s+)?ha?ematopoietic\s+growth\s+factors)?\s*", body):
                continue
            end = ex.end()
        days = int(since.group("n")) * _UNIT[since.group("u").lower().rstrip("s")]
        inclusive = since.group("cmp").lower() in ("at least", "≥")
        node = Medication(classes=["biologic_response_modifier"], within_days=days - 1 if inclusive else days,
                          label=ctx.text[m.start():m.end()])
        hits.append(Hit(since.start(), end, Not(child=node), priority=8, family="medication"))
    # named drugs currently used: "Use of St. John's Wort or rifampin (rifampicin)", "taking Rifampin or St John's Wort"
    for use in re.finditer(_CURRENT, text, re.IGNORECASE):
        pos = use.end()
        named: list[str] = []
        last = pos
        for m in _NAME_RE.finditer(text, pos):
            gap = text[last:m.start()]
            if not _SEP.match(gap):
                break
            tid = medication_tags(m.group(0))[0]
            if tid is None or tid == "grapefruit":
                break  # a food is not recorded as a medication: left to review
            if tid not in named:
                named.append(tid)
            last = m.end()
            # "(rifampicin)", "[also known as St. John's wort]": a synonym in brackets
            close = re.match(r"\s*[)\]]", text[last:])
            if close:
                last += close.end()
        if named:
            if any(h.start <= use.start() < h.end for h in hits):
                continue
            hits.append(Hit(use.start(), last, Medication(agents=named, label=ctx.text[use.start():last]),
                            priority=7, family="medication"))
    return hits


# ---------------------------------------------------------------------------- allergy classes

#: Allergy classes of this module: antibody products (INN stem -mab = monoclonal antibody, WHO INN
#: "Use of stems in the selection of INNs"; Chinese 单抗; immunoglobulins), aminothiols (amifostine,
#: cysteamine), and the
#: medication vocabulary above (pentamidine, DMSO are added for allergy criteria).
_ALLERGY_ONLY: dict[str, tuple[str, frozenset[str]]] = {
    "amifostine": ("amifostine", frozenset({"aminothiol"})), "ethyol": ("amifostine", frozenset({"aminothiol"})),
    "氨磷汀": ("amifostine", frozenset({"aminothiol"})),
    "cysteamine": ("cysteamine", frozenset({"aminothiol"})), "cystagon": ("cysteamine", frozenset({"aminothiol"})),
    "半胱胺": ("cysteamine", frozenset({"aminothiol"})),
    "pentamidine": ("pentamidine", frozenset()), "喷他脒": ("pentamidine", frozenset()),
    "pentam": ("pentamidine", frozenset()), "nebupent": ("pentamidine", frozenset()),
    "immunoglobulin": ("immunoglobulin", frozenset({"immunoglobulin"})),
    "immune globulin": ("immunoglobulin", frozenset({"immunoglobulin"})),
    "ivig": ("immunoglobulin", frozenset({"immunoglobulin"})),
    "intravenous immunoglobulin": ("immunoglobulin", frozenset({"immunoglobulin"})),
    "人免疫球蛋白": ("immunoglobulin", frozenset({"immunoglobulin"})),
    "丙种球蛋白": ("immunoglobulin", frozenset({"immunoglobulin"})),
    "dimethyl sulfoxide": ("dmso", frozenset()), "dimethyl sulphoxide": ("dmso", frozenset()),
    "dmso": ("dmso", frozenset()), "二甲基亚砜": ("dmso", frozenset()),
}


def allergy_name_tags(name: str) -> tuple[str | None, frozenset[str]]:
    """(id, classes) of a recorded allergy name from this module's vocabulary: monoclonal antibodies
    by their INN stem ("-mab", 单抗), aminothiols, the medication vocabulary."""
    key = " ".join(name.strip().lower().split())
    if key in _ALLERGY_ONLY:
        return _ALLERGY_ONLY[key]
    tid, classes, _possible = medication_tags(name)
    lex_id, _lex_classes = therapy_tags(name)  # brand names of the lexicon ("Keytruda" -> pembrolizumab)
    if re.search(r"mab\b|单抗|单克隆抗体", key) or (lex_id is not None and lex_id.endswith("mab")):
        classes = classes | {"monoclonal_antibody"}
    return tid, classes


_ANTIBODY_PRODUCTS = re.compile(
    r"(?:human(?:i[sz]ed)?|mouse|murine|chimeric)(?:\s*(?:,|or|and|/)\s*(?:human(?:i[sz]ed)?|mouse|murine|chimeric))*"
    r"\s+(?:monoclonal\s+)?antibod(?:y|ies)(?:\s+products?)?|(?:another\s+|any\s+)?monoclonal\s+antibod(?:y|ies)"
    r"|单克隆抗体|单抗类?药物", re.IGNORECASE)
_AMINOTHIOL = re.compile(r"aminothiol(?:\s+compounds?)?", re.IGNORECASE)
_ALLERGY_NAMES = re.compile(r"(?<![\w-])(?:pentamidine|dimethyl sulfoxide|dimethyl sulphoxide|dmso|amifostine)(?![\w-])"
                            r"|喷他脒|二甲基亚砜|氨磷汀", re.IGNORECASE)


#: Allergy classes named by kind (no list of names can be complete): an allergy rule naming only these leaves
#: every other recorded allergy unknown, except an allergy from :data:`_SMALL_MOLECULE_ALLERGENS`.
ALLERGY_KIND_CLASSES = frozenset({"monoclonal_antibody", "immunoglobulin", "aminothiol"})

# Common recorded drug / contrast allergies that are small molecules outside those classes: beta-lactam,
# sulfonamide, macrolide, quinolone, tetracycline antibiotics and other antibacterials (WHO ATC J01), non-steroidal
# anti-inflammatory drugs (M01A, N02BA), opioids (N02A), iodinated contrast media (V08A).  None is an antibody or
# immunoglobulin product (ATC L01FX, J06B) or an aminothiol (a free amine and a free thiol: amifostine, cysteamine);
# none is an excipient of an antibody or aminothiol product.
_SMALL_MOLECULE_ALLERGENS = re.compile(
    r"(?:penicillins?|amoxicillin|ampicillin|piperacillin|flucloxacillin|oxacillin|benzylpenicillin|beta[- ]?lactams?"
    r"|cephalosporins?|cefalexin|cephalexin|cefazolin|ceftriaxone|cefuroxime|cefepime|carbapenems?|meropenem|imipenem"
    r"|sulfonamides?|sulphonamides?|sulfa(?:\s+drugs?)?|sulpha(?:\s+drugs?)?|sulfamethoxazole|co-trimoxazole|cotrimoxazole"
    r"|trimethoprim(?:[-/ ]sulfamethoxazole)?|macrolides?|erythromycin|azithromycin|clarithromycin|quinolones?"
    r"|fluoroquinolones?|ciprofloxacin|levofloxacin|moxifloxacin|tetracyclines?|doxycycline|minocycline|metronidazole"
    r"|nitrofurantoin|clindamycin|vancomycin|gentamicin|aminoglycosides?"
    r"|aspirin|acetylsalicylic acid|nsaids?|non-?steroidal anti-?inflammatory drugs?|ibuprofen|naproxen|diclofenac"
    r"|indomethacin|ketorolac|metamizole|dipyrone"
    r"|codeine|morphine|tramadol|pethidine|meperidine|opioids?|opiates?"
    r"|iodinated contrast(?:\s+(?:media|medium|agents?))?|iodine contrast(?:\s+(?:media|medium|agents?))?|iodine"
    r"|青霉素类?|阿莫西林|氨苄西林|头孢(?:菌素)?类?|头孢\w{1,3}|磺胺类?(?:药物?)?|红霉素|阿奇霉素|喹诺酮类?|左氧氟沙星|环丙沙星"
    r"|四环素类?|甲硝唑|庆大霉素|链霉素|阿司匹林|布洛芬|非甾体(?:类)?抗炎药|双氯芬酸|吗啡|可待因|曲马多|碘造影剂|碘对比剂|碘)",
    re.IGNORECASE)


def allergy_outside_kind_classes(name: str) -> bool:
    """True when a recorded allergy *name* is a common drug / contrast allergen known to be neither an antibody
    or immunoglobulin product nor an aminothiol nor an excipient of one (see :data:`ALLERGY_KIND_CLASSES`):
    "penicillin", "sulfa drugs", "iodinated contrast", 青霉素.  Anticancer small molecules of the therapy lexicon
    (tyrosine kinase inhibitors) count too.  Any other name: False (not known)."""
    key = " ".join(name.strip().lower().split())
    if _SMALL_MOLECULE_ALLERGENS.fullmatch(key):
        return True
    lex_id, classes = therapy_tags(name)
    return lex_id is not None and "tki" in classes and not lex_id.endswith("mab")


# "Known hypersensitivity to the active sorafenib or to any of the excipients" (NCT02716012): "active" names the
# active substance (not an activity qualifier); the excipients are the named drug's
_ACTIVE_SUBSTANCE_OR_EXCIPIENTS = re.compile(
    r"(?:known\s+)?(?:hypersensitivity|allergy)\s+to\s+the\s+active\s+(?:substance\s+)?(?P<drug>[a-z][a-z-]+)\s+or\s+"
    r"(?:to\s+)?any\s+of\s+(?:the|its)\s+excipients\.?", re.IGNORECASE)


# "No history of allergic reactions to compounds similar to temsirolimus or sorafenib" (NCT01335074, inclusion): both
# drugs (temsirolimus is not in the therapy lexicon) and their chemical relatives
_SIMILAR_TO = re.compile(
    r"no\s+history\s+of\s+allergic\s+reactions?\s+to\s+compounds\s+similar\s+to\s+(?P<a>[a-z][a-z-]+)\s+or\s+"
    r"(?P<b>[a-z][a-z-]+)\.?", re.IGNORECASE)
_NAMED_DRUGS = frozenset({"temsirolimus", "sorafenib", "everolimus", "sirolimus"})


def read_allergy_criterion(text: str, role: str | None) -> Node | None:
    """The rule of a whole allergy criterion the sentence scanner misreads, else ``None``.

    * "Known hypersensitivity to the active sorafenib or to any of the excipients" (exclusion) is an allergy to sorafenib
      or its excipients (``related``: another recorded allergy may be to an excipient, so it stays unknown).
    * "No history of allergic reactions to compounds similar to temsirolimus or sorafenib" (inclusion): neither drug nor
      a compound similar to them (``related``); the sentence scanner kept sorafenib only.
    """
    spaced = " ".join(text.split())
    similar = _SIMILAR_TO.fullmatch(spaced) if role == "inclusion" else None
    if similar is not None:
        names = [similar.group("a").lower(), similar.group("b").lower()]
        if not set(names) <= _NAMED_DRUGS:
            return None
        agents = [therapy_tags(n)[0] or n for n in names]
        return Not(child=Allergy(agents=agents, related=True))
    if role != "exclusion":
        return None
    m = _ACTIVE_SUBSTANCE_OR_EXCIPIENTS.fullmatch(spaced)
    if m is None:
        return None
    drug, _classes = therapy_tags(m.group("drug"))
    return None if drug is None else Allergy(agents=[drug], related=True)


def allergy_extras(text: str) -> tuple[list[str], list[str]]:
    """(agents, classes) an allergy criterion names that the therapy lexicon does not carry: antibody
    products ("human or mouse antibody products", "another monoclonal antibody"), aminothiol
    compounds, pentamidine, DMSO."""
    agents = [_ALLERGY_ONLY[m.group(0).lower()][0] for m in _ALLERGY_NAMES.finditer(text)]
    classes = []
    products = _ANTIBODY_PRODUCTS.search(text)
    if products:
        classes.append("monoclonal_antibody")
        if re.search(r"products?", products.group(0), re.IGNORECASE):
            classes.append("immunoglobulin")  # "human ... antibody products" include immunoglobulins
    if _AMINOTHIOL.search(text):
        classes.append("aminothiol")
    return list(dict.fromkeys(agents)), classes
