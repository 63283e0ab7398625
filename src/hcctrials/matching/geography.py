"""Place names in Chinese and English, and the distance class of a trial site to a patient.

Distance classes: ``same_city`` < ``same_province`` < ``same_country`` < ``other_country``
(``unknown`` when the site or the patient does not say).  No coordinates: registries rarely
publish them, and the clinical question is "can she get there", which city / province /
country answers well enough.

Place names are normalised with a small table written for this project (the 34
provincial-level divisions of China, its larger cities with their province, and the
countries that run most HCC trials), because no maintained library maps 深圳 / Shenzhen /
深圳市 to one place together with its province.  Names not in the table are compared after
folding (case, whitespace, the suffixes 省/市/自治区/特别行政区, "Province", "City",
"Shi"), so "Houston" still matches "houston" and a US state matches itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from hcctrials.i18n import say
from hcctrials.model.patient import Location
from hcctrials.model.trial import Site

__all__ = ["DistanceClass", "Place", "normalise_place", "resolve_location", "distance_class",
           "DISTANCE_ORDER", "site_location", "distance_km", "CITY_COORDINATES"]

DistanceClass = Literal["same_city", "same_province", "same_country", "other_country", "unknown"]
DISTANCE_ORDER: dict[str, int] = {"same_city": 0, "same_province": 1, "same_country": 2, "unknown": 3,
                                  "other_country": 4}

# province (English, Chinese short name)
_PROVINCES: tuple[tuple[str, str], ...] = (
    ("Beijing", "北京"), ("Tianjin", "天津"), ("Shanghai", "上海"), ("Chongqing", "重庆"),
    ("Hebei", "河北"), ("Shanxi", "山西"), ("Liaoning", "辽宁"), ("Jilin", "吉林"),
    ("Heilongjiang", "黑龙江"), ("Jiangsu", "江苏"), ("Zhejiang", "浙江"), ("Anhui", "安徽"),
    ("Fujian", "福建"), ("Jiangxi", "江西"), ("Shandong", "山东"), ("Henan", "河南"),
    ("Hubei", "湖北"), ("Hunan", "湖南"), ("Guangdong", "广东"), ("Hainan", "海南"),
    ("Sichuan", "四川"), ("Guizhou", "贵州"), ("Yunnan", "云南"), ("Shaanxi", "陕西"),
    ("Gansu", "甘肃"), ("Qinghai", "青海"), ("Inner Mongolia", "内蒙古"), ("Guangxi", "广西"),
    ("Tibet", "西藏"), ("Ningxia", "宁夏"), ("Xinjiang", "新疆"), ("Hong Kong", "香港"),
    ("Macau", "澳门"), ("Taiwan", "台湾"),
)
# city (English, Chinese, province English)
_CITIES: tuple[tuple[str, str, str], ...] = (
    ("Shenzhen", "深圳", "Guangdong"), ("Guangzhou", "广州", "Guangdong"), ("Foshan", "佛山", "Guangdong"),
    ("Dongguan", "东莞", "Guangdong"), ("Zhuhai", "珠海", "Guangdong"), ("Shantou", "汕头", "Guangdong"),
    ("Zhanjiang", "湛江", "Guangdong"), ("Hangzhou", "杭州", "Zhejiang"), ("Ningbo", "宁波", "Zhejiang"),
    ("Wenzhou", "温州", "Zhejiang"), ("Nanjing", "南京", "Jiangsu"), ("Suzhou", "苏州", "Jiangsu"),
    ("Wuxi", "无锡", "Jiangsu"), ("Xuzhou", "徐州", "Jiangsu"), ("Nantong", "南通", "Jiangsu"),
    ("Changzhou", "常州", "Jiangsu"), ("Hefei", "合肥", "Anhui"), ("Fuzhou", "福州", "Fujian"),
    ("Xiamen", "厦门", "Fujian"), ("Nanchang", "南昌", "Jiangxi"), ("Jinan", "济南", "Shandong"),
    ("Qingdao", "青岛", "Shandong"), ("Yantai", "烟台", "Shandong"), ("Linyi", "临沂", "Shandong"),
    ("Zhengzhou", "郑州", "Henan"), ("Wuhan", "武汉", "Hubei"), ("Changsha", "长沙", "Hunan"),
    ("Haikou", "海口", "Hainan"), ("Chengdu", "成都", "Sichuan"), ("Guiyang", "贵阳", "Guizhou"),
    ("Kunming", "昆明", "Yunnan"), ("Xi'an", "西安", "Shaanxi"), ("Lanzhou", "兰州", "Gansu"),
    ("Xining", "西宁", "Qinghai"), ("Hohhot", "呼和浩特", "Inner Mongolia"), ("Nanning", "南宁", "Guangxi"),
    ("Guilin", "桂林", "Guangxi"), ("Lhasa", "拉萨", "Tibet"), ("Yinchuan", "银川", "Ningxia"),
    ("Urumqi", "乌鲁木齐", "Xinjiang"), ("Shijiazhuang", "石家庄", "Hebei"), ("Taiyuan", "太原", "Shanxi"),
    ("Shenyang", "沈阳", "Liaoning"), ("Dalian", "大连", "Liaoning"), ("Changchun", "长春", "Jilin"),
    ("Harbin", "哈尔滨", "Heilongjiang"), ("Taipei", "台北", "Taiwan"), ("Kaohsiung", "高雄", "Taiwan"),
    ("Taichung", "台中", "Taiwan"), ("Tainan", "台南", "Taiwan"),
    ("Beijing", "北京", "Beijing"), ("Tianjin", "天津", "Tianjin"), ("Shanghai", "上海", "Shanghai"),
    ("Chongqing", "重庆", "Chongqing"), ("Hong Kong", "香港", "Hong Kong"), ("Macau", "澳门", "Macau"),
)
#: City centres (latitude, longitude in degrees, 0.1 degree), for the distance in km of a site from
#: the patient (great-circle, haversine); public geographic facts, rounded.
CITY_COORDINATES: dict[str, tuple[float, float]] = {
    "Shenzhen": (22.5, 114.1), "Guangzhou": (23.1, 113.3), "Foshan": (23.0, 113.1), "Dongguan": (23.0, 113.8),
    "Zhuhai": (22.3, 113.6), "Shantou": (23.4, 116.7), "Zhanjiang": (21.3, 110.4), "Hangzhou": (30.3, 120.2),
    "Ningbo": (29.9, 121.6), "Wenzhou": (28.0, 120.7), "Nanjing": (32.1, 118.8), "Suzhou": (31.3, 120.6),
    "Wuxi": (31.5, 120.3), "Xuzhou": (34.3, 117.2), "Nantong": (32.0, 120.9), "Changzhou": (31.8, 119.9),
    "Hefei": (31.8, 117.3), "Fuzhou": (26.1, 119.3), "Xiamen": (24.5, 118.1), "Nanchang": (28.7, 115.9),
    "Jinan": (36.7, 117.0), "Qingdao": (36.1, 120.4), "Yantai": (37.5, 121.4), "Linyi": (35.1, 118.4),
    "Zhengzhou": (34.7, 113.6), "Wuhan": (30.6, 114.3), "Changsha": (28.2, 112.9), "Haikou": (20.0, 110.3),
    "Chengdu": (30.7, 104.1), "Guiyang": (26.6, 106.7), "Kunming": (25.0, 102.7), "Xi'an": (34.3, 108.9),
    "Lanzhou": (36.1, 103.8), "Xining": (36.6, 101.8), "Hohhot": (40.8, 111.7), "Nanning": (22.8, 108.4),
    "Guilin": (25.3, 110.3), "Lhasa": (29.7, 91.1), "Yinchuan": (38.5, 106.3), "Urumqi": (43.8, 87.6),
    "Shijiazhuang": (38.0, 114.5), "Taiyuan": (37.9, 112.6), "Shenyang": (41.8, 123.4), "Dalian": (38.9, 121.6),
    "Changchun": (43.9, 125.3), "Harbin": (45.8, 126.5), "Taipei": (25.0, 121.6), "Kaohsiung": (22.6, 120.3),
    "Taichung": (24.1, 120.7), "Tainan": (23.0, 120.2), "Beijing": (39.9, 116.4), "Tianjin": (39.1, 117.2),
    "Shanghai": (31.2, 121.5), "Chongqing": (29.6, 106.5), "Hong Kong": (22.3, 114.2), "Macau": (22.2, 113.5),
}
_EARTH_RADIUS_KM = 6371.0


def distance_km(a: Place, b: Place) -> float | None:
    """Great-circle distance in km between two places whose cities are in :data:`CITY_COORDINATES`
    (haversine formula), else None: a distance is never guessed from a province or country."""
    import math

    if a.city is None or b.city is None or a.city not in CITY_COORDINATES or b.city not in CITY_COORDINATES:
        return None
    (lat1, lon1), (lat2, lon2) = CITY_COORDINATES[a.city], CITY_COORDINATES[b.city]
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(h))


# country (English, Chinese, aliases)
_COUNTRIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("China", "中国", ("People's Republic of China", "PRC", "P.R. China", "P. R. China", "中华人民共和国", "Mainland China")),
    ("United States", "美国", ("USA", "US", "U.S.", "U.S.A.", "United States of America")),
    ("Japan", "日本", ()), ("Korea, Republic of", "韩国", ("South Korea", "Korea", "Republic of Korea")),
    ("United Kingdom", "英国", ("UK", "U.K.", "Great Britain", "England")), ("France", "法国", ()),
    ("Germany", "德国", ()), ("Italy", "意大利", ()), ("Spain", "西班牙", ()), ("Canada", "加拿大", ()),
    ("Australia", "澳大利亚", ()), ("Singapore", "新加坡", ()), ("Russia", "俄罗斯", ("Russian Federation",)),
    ("Thailand", "泰国", ()), ("Vietnam", "越南", ("Viet Nam",)), ("Egypt", "埃及", ()),
    ("Belgium", "比利时", ()), ("Netherlands", "荷兰", ()), ("Switzerland", "瑞士", ()),
    ("Poland", "波兰", ()), ("Brazil", "巴西", ()), ("Turkey", "土耳其", ("Türkiye",)),
)
#: Regions that ClinicalTrials.gov lists as countries but that are provincial-level in the table.
_REGION_AS_COUNTRY = {"hong kong": "Hong Kong", "macau": "Macau", "macao": "Macau", "taiwan": "Taiwan"}

_SUFFIX = re.compile(r"(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市|区|县"
                     r"|\s+(?:province|city|shi|sheng|municipality|sar|special administrative region))$",
                     re.IGNORECASE)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"\s+", " ", text)
    for _ in range(2):
        text = _SUFFIX.sub("", text).strip()
    return text.replace("’", "'")


_PROVINCE_INDEX: dict[str, str] = {}
for _en, _zh in _PROVINCES:
    _PROVINCE_INDEX[_fold(_en)] = _en
    _PROVINCE_INDEX[_fold(_zh)] = _en
_PROVINCE_INDEX.update({"shensi": "Shaanxi", "shaan xi": "Shaanxi", "xizang": "Tibet", "nei mongol": "Inner Mongolia",
                        "macao": "Macau", "kwangtung": "Guangdong"})
_CITY_INDEX: dict[str, tuple[str, str]] = {}
for _en, _zh, _prov in _CITIES:
    _CITY_INDEX[_fold(_en)] = (_en, _prov)
    _CITY_INDEX[_fold(_zh)] = (_en, _prov)
_CITY_INDEX.update({"xian": ("Xi'an", "Shaanxi"), "canton": ("Guangzhou", "Guangdong"),
                    "peking": ("Beijing", "Beijing")})
#: English canonical name -> Chinese name (cities, provinces and countries of the tables), for describing a place.
_ZH_NAMES: dict[str, str] = {**{en: zh for en, zh in _PROVINCES}, **{en: zh for en, zh, _p in _CITIES},
                             **{en: zh for en, zh, _a in _COUNTRIES}}
_COUNTRY_INDEX: dict[str, str] = {}
for _en, _zh, _aliases in _COUNTRIES:
    for _name in (_en, _zh, *_aliases):
        _COUNTRY_INDEX[_fold(_name)] = _en


@dataclass(frozen=True)
class Place:
    """A normalised location: city / province / country (English canonical names or folded text)."""

    city: str | None = None
    province: str | None = None
    country: str | None = None

    def describe(self, language: str = "en") -> str:
        """"Shenzhen, Guangdong, China" in English; in Chinese the names of the table from the largest
        unit down ("中国广东深圳"), a name the table does not know as given."""
        if language == "zh":
            parts = [_ZH_NAMES.get(p, p) for p in (self.country, self.province, self.city) if p]
            if not parts:
                return say("unknown place", language)
            return "".join(parts) if all(p in _ZH_NAMES for p in (self.country, self.province, self.city) if p) \
                else "，".join(parts)
        return ", ".join(p for p in (self.city, self.province, self.country) if p) or say("unknown place", language)


def normalise_place(text: str | None) -> Place:
    """What one place name is: a city (with its province and country), a province or a country.

    ``normalise_place("深圳市")`` -> ``Place("Shenzhen", "Guangdong", "China")``;
    ``normalise_place("广东省")`` -> ``Place(None, "Guangdong", "China")``; an unknown name is
    returned as a folded city name with no province.
    """
    if not text or not text.strip():
        return Place()
    key = _fold(text)
    if key in _CITY_INDEX:
        city, province = _CITY_INDEX[key]
        return Place(city, province, "China")
    if key in _PROVINCE_INDEX:
        return Place(None, _PROVINCE_INDEX[key], "China")
    if key in _COUNTRY_INDEX:
        return Place(None, None, _COUNTRY_INDEX[key])
    return Place(key, None, None)


def _province(text: str | None) -> str | None:
    if not text:
        return None
    key = _fold(text)
    return _PROVINCE_INDEX.get(key, key)


def _country(text: str | None) -> str | None:
    if not text:
        return None
    key = _fold(text)
    if key in _REGION_AS_COUNTRY:
        return "China"
    return _COUNTRY_INDEX.get(key, key)


def resolve_location(city: str | None = None, province: str | None = None, country: str | None = None) -> Place:
    """Normalise a (city, province, country) triple, filling the province and country a known
    city implies ("Shenzhen" -> Guangdong, China; CT.gov country "Hong Kong" -> province Hong
    Kong, country China)."""
    c_place = normalise_place(city) if city else Place()
    prov = _province(province) or c_place.province
    ctry = _country(country)
    if country and _fold(country) in _REGION_AS_COUNTRY:
        prov = prov or _REGION_AS_COUNTRY[_fold(country)]
    if prov in _PROVINCE_INDEX.values():
        ctry = ctry or "China"
    ctry = ctry or c_place.country
    return Place(c_place.city if city else None, prov, ctry)


def site_location(site: Site) -> Place:
    """The normalised place of a trial site (English or Chinese fields)."""
    return resolve_location(site.city.en or site.city.zh, site.province.en or site.province.zh,
                            site.country.en or site.country.zh)


def distance_class(patient: Location | Place, site: Site | Place) -> DistanceClass:
    """How far *site* is from the patient: same city / province / country, other country."""
    here = patient if isinstance(patient, Place) else resolve_location(patient.city, patient.province,
                                                                        patient.country)
    there = site if isinstance(site, Place) else site_location(site)
    if here.city and there.city and here.city == there.city:
        return "same_city"
    if here.province and there.province and here.province == there.province:
        return "same_province"
    if here.country and there.country:
        return "same_country" if here.country == there.country else "other_country"
    return "unknown"
