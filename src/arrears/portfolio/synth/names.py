"""Chinese name frequency tables for synthetic borrowers and their contacts.

Surname shares are rounded from published census rankings (they sum to ~86%, the rest is folded into the
tail by renormalising). Given-name characters are common ones by gender; weights are rough. Names are
drawn independently, so any match with a real person is chance.
"""

from __future__ import annotations

import numpy as np

# (surname, share in percent)
# fmt: off
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.25), ("李", 7.19), ("张", 6.90), ("刘", 5.38), ("陈", 4.53), ("杨", 3.08), ("黄", 2.23),
    ("赵", 2.14), ("吴", 2.05), ("周", 1.96), ("徐", 1.63), ("孙", 1.52), ("马", 1.38), ("朱", 1.31),
    ("胡", 1.30), ("郭", 1.16), ("何", 1.12), ("林", 1.09), ("高", 1.08), ("罗", 0.87), ("郑", 0.84),
    ("梁", 0.81), ("谢", 0.74), ("宋", 0.70), ("唐", 0.69), ("许", 0.66), ("韩", 0.64), ("冯", 0.63),
    ("邓", 0.62), ("曹", 0.61), ("彭", 0.59), ("曾", 0.58), ("肖", 0.57), ("田", 0.55), ("董", 0.54),
    ("袁", 0.52), ("潘", 0.51), ("于", 0.50), ("蒋", 0.49), ("蔡", 0.48), ("余", 0.47), ("杜", 0.46),
    ("叶", 0.45), ("程", 0.44), ("苏", 0.43), ("魏", 0.42), ("吕", 0.41), ("丁", 0.40), ("任", 0.39),
    ("沈", 0.38), ("姚", 0.37), ("卢", 0.36), ("姜", 0.35), ("崔", 0.34), ("钟", 0.33), ("谭", 0.32),
    ("陆", 0.31), ("汪", 0.30), ("范", 0.29), ("金", 0.28), ("石", 0.27), ("廖", 0.26), ("贾", 0.25),
    ("夏", 0.24), ("韦", 0.23), ("付", 0.22), ("方", 0.21), ("白", 0.20), ("邹", 0.19), ("孟", 0.18),
    ("熊", 0.17), ("秦", 0.16), ("邱", 0.15), ("江", 0.15), ("尹", 0.14), ("薛", 0.14), ("闫", 0.13),
    ("段", 0.13), ("雷", 0.12), ("侯", 0.12), ("龙", 0.11), ("史", 0.11), ("陶", 0.10), ("黎", 0.10),
    ("贺", 0.10), ("顾", 0.09), ("毛", 0.09), ("郝", 0.09), ("龚", 0.08), ("邵", 0.08), ("万", 0.08),
    ("欧阳", 0.03), ("司马", 0.01), ("诸葛", 0.01), ("上官", 0.01),
)
# fmt: on

# Common given-name characters. Two-character given names are drawn as two independent characters.
MALE_CHARS: tuple[str, ...] = tuple(
    "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣阳建国东亮成峰志海文博晨睿轩宏新"
)
FEMALE_CHARS: tuple[str, ...] = tuple(
    "芳娜敏静丽艳娟霞秀英玲婷雪慧莉燕红琳颖倩洁佳怡梅琴晶瑶萍兰悦妍欣蕾璐薇月菲晓丹雅婉嘉"
)


def surname_table() -> tuple[np.ndarray, np.ndarray]:
    """(surnames as an object array, probabilities summing to 1)."""
    names = np.array([s for s, _ in SURNAMES], dtype=object)
    p = np.array([w for _, w in SURNAMES], dtype=np.float64)
    return names, p / p.sum()


def given_table() -> tuple[np.ndarray, int]:
    """All given-name characters (male block first) and the size of the male block."""
    return np.array(MALE_CHARS + FEMALE_CHARS, dtype=object), len(MALE_CHARS)
