"""Build raw/b_*.jsonl from author B's compact source files in ../src-b."""

import collections
import glob
import json
import os
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = str(HERE.parent / "raw")
AUD = {"d": "debtor", "t": "third_party", "x": "transcript"}
CH = {"s": "sms", "i": "im", "c": "call_script", "e": "email", "l": "letter", "t": "transcript"}
CAT = {
    "V": "threat_violence",
    "X": "threat_exposure",
    "D": "third_party_disclosure",
    "F": "false_representation",
    "I": "insult_abuse",
    "H": "harassment",
}
EV = {
    "-": "none",
    "h": "homophone",
    "p": "pinyin",
    "sp": "spacing",
    "sy": "symbols",
    "fw": "fullwidth",
    "tr": "traditional",
    "em": "emoji",
    "mx": "mixed",
}
SUR = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIV = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "晓东",
    "建华",
    "海燕",
    "志强",
    "雪梅",
    "宇航",
    "子涵",
    "浩然",
    "欣怡",
    "俊杰",
    "思远",
    "佳琪",
    "文博",
    "梓萱",
    "一鸣",
    "立新",
    "春燕",
    "国庆",
    "红梅",
    "小龙",
    "雨婷",
    "晨曦",
    "家豪",
    "凯",
    "鹏",
    "琳",
    "博",
]
PLAT = [
    "橙意借",
    "诺诺分期",
    "桔子花",
    "云朵贷",
    "麦穗借款",
    "晴天钱包",
    "乐享借",
    "星河分期",
    "豆芽贷",
    "嘉禾消费金融",
    "速米借",
    "青禾信用",
    "满月分期",
    "鹿鸣钱包",
    "松果借",
    "朗月贷",
    "小驰花",
    "恒泰小贷",
    "溪流分期",
    "金穗e借",
]
COMP = [
    "华信合创",
    "鼎衡信息咨询",
    "佳诚资产管理",
    "远航商务服务",
    "明泽信息技术",
    "安和资产",
    "恒远商务咨询",
    "睿合信息服务",
]
FN = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Susan",
    "Daniel",
    "Jessica",
    "Kevin",
    "Sarah",
    "Aisha",
    "Tom",
    "Chloe",
    "Liam",
    "Priya",
    "Marcus",
    "Olivia",
    "Dwayne",
    "Megan",
    "Connor",
    "Tanya",
    "Gareth",
    "Rhys",
    "Shauna",
    "Nadia",
    "Hannah",
    "Luis",
    "Carmen",
    "Tyrone",
    "Becky",
]
LN = [
    "Fletcher",
    "Okafor",
    "Brennan",
    "Whitlock",
    "Hargreaves",
    "Morales",
    "Kowalski",
    "Patel",
    "Dunmore",
    "Ashby",
    "Carver",
    "Lindqvist",
    "Pryce",
    "Nakamura",
    "Osei",
    "Gallagher",
    "Thornbury",
    "Delgado",
    "McAllister",
    "Quinlan",
]
ECRED = [
    "Brightline Credit",
    "Northgate Lending",
    "QuidQuick",
    "Maple Finance",
    "Redwood Consumer Loans",
    "SwiftPay Later",
    "Harbour Loans Ltd",
    "CopperLeaf Credit",
    "Summit Cash",
    "Evergreen Card Services",
]
EAG = [
    "Keystone Recovery Services",
    "Albion Collections Ltd",
    "Pinecrest Financial Recovery",
    "Meridian Debt Solutions",
    "Clearwater Receivables",
    "Brookfield Credit Management",
]


def fill(t, r):
    def amt():
        v = r.choice([r.randint(300, 9999), r.randint(1000, 60000), r.randint(200, 3000)])
        return r.choice(
            [f"{v}元", f"{v}.{r.randint(10, 99)}元", f"¥{v:,}", f"{v}元整", f"{v:,}.{r.randint(0, 99):02d}元"]
        )

    rep = {
        "{n}": lambda: r.choice(SUR) + r.choice(GIV),
        "{x}": lambda: r.choice(SUR) + r.choice(["先生", "女士"]),
        "{s}": lambda: r.choice(SUR),
        "{p}": lambda: r.choice(PLAT),
        "{a}": amt,
        "{d}": lambda: f"{r.randint(1, 12)}月{r.randint(1, 28)}日",
        "{t}": lambda: f"{r.randint(0, 9999):04d}",
        "{c}": lambda: r.choice(COMP),
        "{tel}": lambda: f"400-{r.randint(100, 999)}-{r.randint(1000, 9999)}",
        "{N}": lambda: r.choice(FN),
        "{F}": lambda: r.choice(FN) + " " + r.choice(LN),
        "{L}": lambda: r.choice(LN),
        "{P}": lambda: r.choice(ECRED),
        "{G}": lambda: r.choice(EAG),
        "{A}": lambda: f"${r.randint(80, 9000):,}.{r.randint(0, 99):02d}",
        "{Q}": lambda: f"£{r.randint(60, 7000):,}.{r.randint(0, 99):02d}",
        "{D}": lambda: (
            r.choice(
                [
                    "January",
                    "February",
                    "March",
                    "April",
                    "May",
                    "June",
                    "July",
                    "August",
                    "September",
                    "October",
                    "November",
                    "December",
                ]
            )
            + f" {r.randint(1, 28)}"
        ),
        "{ref}": lambda: f"{r.choice('ABCKMR')}{r.randint(10000, 99999)}",
        "{ph}": lambda: f"({r.randint(200, 989)}) 555-{r.randint(100, 199):04d}",
        "{uk}": lambda: f"0{r.randint(300, 345)} {r.randint(100, 999)} {r.randint(1000, 9999)}",
    }
    sticky = {"{n}", "{x}", "{p}", "{c}", "{N}", "{F}", "{P}", "{G}", "{L}"}
    for k, f in rep.items():
        v = f() if k in sticky else None
        while k in t:
            t = t.replace(k, v if v is not None else f(), 1)
    return t


def main():
    counts = collections.Counter()
    hn = collections.Counter()
    errs = 0
    for lang in ("zh", "en"):
        n = 0
        for path in sorted(glob.glob(str(HERE.parent / "src-b" / f"{lang}*.txt"))):
            stem = os.path.basename(path)[:-4]
            rows = []
            for ln, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(keepends=True), 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                if "§" not in line:
                    print("NO SEP", path, ln, line[:40])
                    errs += 1
                    continue
                head, text = line.split("§", 1)
                parts = head.split()
                if len(parts) != 5:
                    print("BAD HEAD", path, ln, head)
                    errs += 1
                    continue
                aud, ch, cats, ev, topic = parts
                hard = cats.endswith("!")
                cats = cats.rstrip("!")
                catl = [] if cats == "-" else [CAT[c] for c in cats.split(",")]
                if len(set(catl)) != len(catl):
                    print("DUP CAT", path, ln)
                    errs += 1
                r = random.Random(f"{stem}:{ln}")
                text = fill(text.strip().replace("\\n", "\n"), r)
                if "{" in text and "}" in text:
                    print("UNFILLED?", path, ln, text[:60])
                n += 1
                rid = f"b{lang}-{n:04d}"
                rows.append(
                    {
                        "id": rid,
                        "text": text,
                        "lang": lang,
                        "audience": AUD[aud],
                        "channel": CH[ch],
                        "violation": bool(catl),
                        "categories": catl,
                        "topic": topic,
                        "hard_negative": hard and not catl,
                        "evasion": EV[ev],
                        "author": "B",
                    }
                )
                if hard and catl:
                    print("HARD ON VIOLATION", path, ln)
                if catl == [] and ev != "-":
                    pass
            with open(f"{OUT}/b_{lang}_{stem[len(lang) :]}.jsonl", "w", encoding="utf-8") as f:
                for row in rows:
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
                    counts[(lang, "violation" if row["violation"] else "compliant")] += 1
                    hn[lang] += row["hard_negative"]
                    for c in row["categories"]:
                        counts[(lang, c)] += 1
                    if row["violation"] and row["evasion"] != "none":
                        counts[(lang, "evasion")] += 1
    for k in sorted(counts):
        print(k, counts[k])
    print("hard negatives", dict(hn), "errors", errs)


main()
