"""Where synthetic borrowers live: province/city, a rough income tier and the candidate IANA time zones.

Weights are rough population shares (percent), lightly bent so that every kind of zone set appears at
realistic-but-visible rates: most borrowers are in Asia/Shanghai; Xinjiang borrowers carry Asia/Urumqi
(alone or together with Asia/Shanghai, since both clocks are used there); about 1.5% live abroad, a few of
them with two candidate zones. A contact must be lawful in *every* candidate zone, so each zone set here
has a non-empty 08:00-21:00 overlap (checked by the tests).

`tier` is an income proxy: 1 = first-tier city ... 4 = poorer inland prefecture; 0 = abroad.
`code` is the 3-digit prefix of the province's administrative division code (used in the masked ID);
empty abroad for non-mainland documents.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Region:
    name: str
    weight: float
    tier: int
    code: str
    zones: str  # ';'-separated IANA names, first = the zone used to render local times


_SH = "Asia/Shanghai"

REGIONS: tuple[Region, ...] = (
    Region("北京市", 3.0, 1, "110", _SH),
    Region("上海市", 3.0, 1, "310", _SH),
    Region("广东省广州市", 2.8, 1, "440", _SH),
    Region("广东省深圳市", 2.8, 1, "440", _SH),
    Region("广东省东莞市", 2.0, 2, "440", _SH),
    Region("广东省湛江市", 1.5, 3, "440", _SH),
    Region("天津市", 1.5, 2, "120", _SH),
    Region("重庆市", 3.0, 2, "500", _SH),
    Region("河北省石家庄市", 2.0, 3, "130", _SH),
    Region("河北省保定市", 2.0, 3, "130", _SH),
    Region("山西省太原市", 1.5, 3, "140", _SH),
    Region("内蒙古自治区呼和浩特市", 1.2, 3, "150", _SH),
    Region("辽宁省沈阳市", 2.0, 2, "210", _SH),
    Region("辽宁省大连市", 1.2, 2, "210", _SH),
    Region("吉林省长春市", 1.6, 3, "220", _SH),
    Region("黑龙江省哈尔滨市", 2.0, 3, "230", _SH),
    Region("江苏省南京市", 2.0, 1, "320", _SH),
    Region("江苏省苏州市", 2.2, 1, "320", _SH),
    Region("江苏省徐州市", 1.8, 3, "320", _SH),
    Region("浙江省杭州市", 2.4, 1, "330", _SH),
    Region("浙江省温州市", 1.8, 2, "330", _SH),
    Region("安徽省合肥市", 2.0, 2, "340", _SH),
    Region("安徽省阜阳市", 1.8, 4, "340", _SH),
    Region("福建省福州市", 1.5, 2, "350", _SH),
    Region("福建省厦门市", 1.0, 2, "350", _SH),
    Region("江西省南昌市", 1.8, 3, "360", _SH),
    Region("江西省赣州市", 1.8, 4, "360", _SH),
    Region("山东省济南市", 2.0, 2, "370", _SH),
    Region("山东省青岛市", 2.0, 2, "370", _SH),
    Region("山东省临沂市", 2.2, 3, "370", _SH),
    Region("河南省郑州市", 2.6, 2, "410", _SH),
    Region("河南省南阳市", 2.2, 4, "410", _SH),
    Region("河南省周口市", 2.0, 4, "410", _SH),
    Region("湖北省武汉市", 2.6, 2, "420", _SH),
    Region("湖北省襄阳市", 1.2, 3, "420", _SH),
    Region("湖南省长沙市", 2.2, 2, "430", _SH),
    Region("湖南省衡阳市", 1.6, 3, "430", _SH),
    Region("广西壮族自治区南宁市", 2.0, 3, "450", _SH),
    Region("广西壮族自治区柳州市", 1.2, 3, "450", _SH),
    Region("海南省海口市", 0.8, 3, "460", _SH),
    Region("四川省成都市", 3.2, 2, "510", _SH),
    Region("四川省南充市", 1.6, 4, "510", _SH),
    Region("贵州省贵阳市", 1.6, 3, "520", _SH),
    Region("贵州省毕节市", 1.4, 4, "520", _SH),
    Region("云南省昆明市", 1.8, 3, "530", _SH),
    Region("云南省曲靖市", 1.2, 4, "530", _SH),
    Region("西藏自治区拉萨市", 0.3, 3, "540", _SH),
    Region("陕西省西安市", 2.4, 2, "610", _SH),
    Region("甘肃省兰州市", 1.2, 3, "620", _SH),
    Region("青海省西宁市", 0.5, 3, "630", _SH),
    Region("宁夏回族自治区银川市", 0.6, 3, "640", _SH),
    # Xinjiang: Beijing time and Xinjiang time are both in daily use.
    Region("新疆维吾尔自治区乌鲁木齐市", 1.0, 3, "650", "Asia/Urumqi;Asia/Shanghai"),
    Region("新疆维吾尔自治区喀什地区", 0.7, 4, "650", "Asia/Urumqi"),
    Region("新疆维吾尔自治区伊犁哈萨克自治州", 0.5, 4, "650", "Asia/Urumqi;Asia/Shanghai"),
    # Abroad (mainland borrowers who moved, or residents of the SARs).
    Region("香港特别行政区", 0.45, 0, "", "Asia/Hong_Kong"),
    Region("澳门特别行政区", 0.10, 0, "", "Asia/Macau"),
    Region("新加坡", 0.15, 0, "450", "Asia/Singapore"),
    Region("日本东京都", 0.15, 0, "210", "Asia/Tokyo"),
    Region("美国加利福尼亚州洛杉矶", 0.20, 0, "350", "America/Los_Angeles"),
    Region("美国纽约州纽约", 0.10, 0, "330", "America/New_York"),
    Region("美国(州未明)", 0.08, 0, "440", "America/Los_Angeles;America/New_York"),
    Region("英国伦敦", 0.08, 0, "310", "Europe/London"),
    Region("加拿大温哥华", 0.10, 0, "440", "America/Vancouver"),
    Region("澳大利亚悉尼", 0.10, 0, "320", "Australia/Sydney"),
    Region("澳大利亚(州未明)", 0.04, 0, "110", "Australia/Sydney;Australia/Perth"),
)
