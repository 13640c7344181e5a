"""A minimal phrase-list content checker (implements `arrears.domain.content.ContentChecker`).

A stand-in until the text guard (`arrears.textguard`) is wired in: a lexicon of regular expressions mapped to
categories and claims, with negation handling so a compliant script that rules something out
("我们不会联系您的通讯录", "we will never contact your employer") passes. A negator counts when it sits in the
same clause shortly before the hit and no conditional marker ("就", "否则", "or", "unless") separates them:
"不接电话就轰炸你通讯录" is a threat, not a negation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from arrears.domain.content import Claim, ContentCategory, ContentChecker, ContentFinding, ContentReport, Span

C = ContentCategory
K = Claim

_CLAUSE_BREAK = re.compile(r"[,，。;；!！?？\n.]")
_NEGATOR = re.compile(
    r"(不会|不要再|绝不|决不|从不|从未|不得|不再|没有|并未|未曾|无意|不曾|不|没|别|"
    r"\bnot\b|\bnever\b|\bno\b|\bwon't\b|\bwill not\b|\bdo not\b|\bdon't\b|\bneither\b|\bnor\b)",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(r"(就|否则|不然|要不|那么|那就|则|\bor\b|\bor else\b|\bunless\b|\botherwise\b|\bthen\b|\bif\b)", re.IGNORECASE)
_NEG_WINDOW = 8
_BARE = frozenset({"不", "没", "别"})
_NEW_VERB = re.compile(r"\b(is|are|was|were|will|would|can|could|means?|makes?)\b", re.IGNORECASE)
_DEBTOR_ACTION = re.compile(
    r"^(还|接|回|付|交|处理|理|配合|联系我们|出现|\s*(pay|answer|respond|reply|call us|contact us|get in touch)\b)",
    re.IGNORECASE,
)
_CONDITION_BEFORE = re.compile(r"(\bif\b|\bunless\b|如果|要是|假如|若)", re.IGNORECASE)
_SUGGESTION_BEFORE = re.compile(r"(\bwhy\s*$|为什么\s*$|何\s*$)", re.IGNORECASE)


def negated(text: str, start: int) -> bool:
    """Is the hit at `start` ruled out by a negator shortly before it, in the same clause?"""
    lo = max(0, start - 40)
    before = text[lo:start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    for m in reversed(list(_NEGATOR.finditer(before))):
        tail = before[m.end() :]
        if _CONDITIONAL.search(tail):
            return False
        word = m.group(0)
        head = before[: m.start()]
        if _SUGGESTION_BEFORE.search(head):
            return False  # "why not take a loan": a suggestion, not a negation
        if _CONDITION_BEFORE.search(head) and _DEBTOR_ACTION.match(tail):
            return False  # "if you do not pay, we will sue": a condition on the debtor
        if word == "不" and m.start() > 0 and m.end() < len(before) and before[m.start() - 1] == before[m.end()]:
            return False  # "是不是", "想不想": an A-not-A question, not a negation
        if word in _BARE and (before[max(0, m.start() - 1) : m.start()] in ("再", "还") or _DEBTOR_ACTION.match(tail)):
            return False  # "再不还钱…", "不接电话…": a condition on the debtor, not a negation of the hit
        if _NEW_VERB.search(tail):
            return False  # "Not paying is a crime": the negator belongs to another verb
        # the negator must be close (CJK) or within a few words (Latin)
        return len(tail) <= _NEG_WINDOW or len(tail.split()) <= 4
    return False


def find_phrases(text: str, patterns: Iterable[re.Pattern[str]], *, negatable: bool = True) -> list[str]:
    hits: list[str] = []
    for pat in patterns:
        for m in pat.finditer(text):
            if negatable and negated(text, m.start()):
                continue
            hits.append(m.group(0))
            break
    return hits


@dataclass(frozen=True, slots=True)
class Entry:
    pattern: re.Pattern[str]
    category: ContentCategory | None
    claim: Claim | None
    negatable: bool = True


def _e(rx: str, category: ContentCategory | None = None, claim: Claim | None = None, negatable: bool = True) -> Entry:
    return Entry(re.compile(rx, re.IGNORECASE), category, claim, negatable)


LEXICON: tuple[Entry, ...] = (
    # contact-list / exposure threats
    _e(r"(轰炸|爆|炸|打爆|群发|曝光).{0,4}(你的?)?(通讯录|联系人|亲朋好友|亲友|朋友圈)", C.THREAT_EXPOSURE, K.CONTACT_LIST),
    _e(r"(打给|打电话给|通知|联系|告诉|找).{0,4}(你的?)?(所有联系人|通讯录|亲朋好友|亲戚朋友|亲友)", C.THREAT_EXPOSURE, K.CONTACT_LIST),
    _e(r"通讯录", None, K.CONTACT_LIST),
    _e(r"(everyone|everybody|all the people) in your (contacts|phone ?book|address book)", C.THREAT_EXPOSURE, K.CONTACT_LIST),
    _e(r"\b(call|text|message|contact)\b.{0,20}\byour (contacts|phone ?book)\b", C.THREAT_EXPOSURE, K.CONTACT_LIST),
    _e(r"(不要|别)逼我们?(群发|曝光|发出去|公开)", C.THREAT_EXPOSURE, K.IMAGE_THREAT, negatable=False),
    _e(r"只给你(自己)?看", C.THREAT_EXPOSURE, K.IMAGE_THREAT, negatable=False),
    _e(r"(P图|p图|合成(的)?(照片|图片|图)|裸照|艳照|遗照)", C.THREAT_EXPOSURE, K.IMAGE_THREAT),
    _e(r"this (photo|picture|image) (stays|will stay|remains) private", C.THREAT_EXPOSURE, K.IMAGE_THREAT, negatable=False),
    _e(r"((照片|视频|图片|信息|资料).{0,6}(发|传|贴)(到|在|给)?.{0,3}(朋友圈|网上|抖音|微博|群里|你的?(亲友|同事|家人))|"
       r"群发|曝光|挂你|挂到网上|发到网上|贴(到|在)?你家|贴大字报|拉横幅|发朋友圈|发抖音|发微博)", C.THREAT_EXPOSURE),
    _e(r"(还有脸|有脸).{0,4}(开直播|直播|发朋友圈)", C.INSULT_ABUSE),
    _e(r"\b(post|share|publish)\b.{0,25}\b(online|facebook|twitter|instagram|social media|publicly)\b", C.THREAT_EXPOSURE),
    _e(r"(通知|告诉|联系|找|打给|去)(你的?)?(单位|公司|领导|老板|同事|学校)", C.THREAT_EXPOSURE, K.EMPLOYER_NOTICE),
    _e(r"\b(contact|call|tell|inform|notify|visit)\b.{0,12}\byour (employer|boss|workplace|manager|colleagues|neighbou?rs)\b", C.THREAT_EXPOSURE, K.EMPLOYER_NOTICE),
    # violence
    _e(r"(小心你?(的)?(家人|孩子|父母|老婆|安全)|不得好死|弄死|打死|砍死|打断你|卸你|废了你|让你好看|后果自负|上门堵|堵门|堵你|泼漆|蹲守|人肉|私家侦探|黑社会)", C.THREAT_VIOLENCE),
    _e(r"\b(kill|hurt|beat|break your|burn)\b.{0,20}\b(you|your)\b|\bwe know where (you|your \w+) (live|go)\b|\bwatch your back\b", C.THREAT_VIOLENCE),
    # insults
    _e(r"(骗子|老赖|不要脸|人渣|垃圾|畜生|王八蛋|去死|傻[逼比Bb]|\bSB\b|废物|狗东西|贱人|混蛋|滚蛋|欠钱不还.{0,4}(人品|不要脸|没良心))", C.INSULT_ABUSE),
    _e(r"\b(deadbeat|scum|idiot|loser|fuck\w*|shit\w*|bastard|bitch|moron|scumbag|worthless)\b", C.INSULT_ABUSE),
    # harassment / bombing
    _e(r"(每天都?(会)?(给你)?(打|打电话|发短信)|天天(打|催)|"
       r"呼死你|电话轰炸|短信轰炸|轰炸你|每(个)?小时(都)?(打|给你打)|打到你还|一直打|天天打|24小时)", C.HARASSMENT),
    _e(r"\b(call|text) you every (hour|day and night|\d+ minutes)\b|\buntil you pay\b.{0,20}\b(call|text)\b", C.HARASSMENT),
    # false representation / legal claims
    _e(r"(公安|警察|派出所|刑警|经侦|police)", C.FALSE_REPRESENTATION, K.POLICE),
    _e(r"(拘留|坐牢|抓你|逮捕|通缉|判刑|入狱|蹲监狱|\barrest(ed)?\b|\bjail(ed)?\b|\bprison\b|\bimprison(ed|ment)?\b|criminal (charges|offence|offense))", C.FALSE_REPRESENTATION, K.ARREST),
    _e(r"(检察院|政府|冒充|司法机关|\bgovernment\b|\bfederal agent\b|\bFBI\b|\bsheriff\b)", C.FALSE_REPRESENTATION, K.GOVERNMENT),
    _e(r"(已经?(起诉|立案)|法院已(经)?受理|已向法院(提起|递交)|\b(have|has) (been )?(filed|sued|taken you to court)\b|lawsuit has been filed|court proceedings have (begun|started))", None, K.LAWSUIT_FILED),
    _e(r"((将|会|可能|拟|准备)(依法)?(向法院)?(起诉|提起诉讼|申请仲裁)|诉讼|仲裁|\b(intends?|plan|may|will) (to )?(file|sue|bring)\b.{0,20}\b(lawsuit|suit|claim|proceedings|action)?|\blegal action\b|\bcourt action\b|\bsue you\b)", None, K.LAWSUIT_THREATENED),
    _e(r"(传票|判决书?|强制执行|法院执行|\bbailiffs?\b|\benforcement agents?\b|\bcourt order\b|\bwarrant\b|\bjudgment\b|\bCCJ\b)", None, K.COURT_ORDER),
    _e(r"(\bgarnish\w*|\bseiz(e|ure)\b|\brepossess\w*|\bsummons\b|\bfreeze your (bank )?account|查封|冻结你的?(银行卡|账户|存款)|扣押)", None, K.COURT_ORDER),
    _e(r"(涉嫌(犯罪|诈骗)|诈骗罪|刑事责任|构成犯罪|刑事案件|\bcommitt?(ed|ing) (a )?(crime|fraud)\b|\bcriminal\b|\bprosecut\w*)", C.FALSE_REPRESENTATION),
    _e(r"(律师函|律师事务所|我是律师|\b(our|my) (attorney|lawyer|solicitor)s?\b|\bI am an? (attorney|lawyer)\b|\blaw firm\b)", None, K.LAWYER),
    _e(r"(征信|\bcredit (report|reporting|bureau|file|record)s?\b|\bcredit reference agenc)", None, K.CREDIT_REPORT),
    _e(r"(黑名单|(子女|孩子|小孩).{0,8}(上学|学校|考公|政审|前途)|\bblacklist)", None, K.BLACKLIST),
    # debt facts and payment demands
    _e(r"(欠款|欠钱|欠我|欠了|欠你|拖欠|逾期|催收|借款|贷款|账单|应还|未还|还款金额|本息|[¥￥]\s?\d|\d[\d,.]*\s?元|\d\s?万|[一二两三四五六七八九十]+万|\boverdue\b|\barrears\b|\bpast due\b|\boutstanding\b|\bbalance\b|\bdebt\b|\bowes?\b|\bowed\b|\bowing\b|\bin default\b|[$£€]\s?\d)", None, K.DEBT_FACTS),
    _e(r"(还钱|替他还|替她还|帮他还|帮她还|必须还|赶紧还|尽快还款|立即还款|马上还|代还|父债子还|\bpay (up|now|today|it|your debt|the balance|in full)\b|\bplease pay\b|\bmust pay\b|\bshould pay\b|\bpay (his|her|their) debt\b)", None, K.PAYMENT_DEMAND),
    _e(r"(你们?做父母的|父债子还|你(儿子|女儿|老公|老婆|朋友|同事).{0,6}(欠|借|逾期))", C.THIRD_PARTY_DISCLOSURE),
    _e(r"\byour (mother|father|son|daughter|wife|husband|friend|brother|sister)\b.{0,30}\b(should|must|has to|owes?)\b", C.THIRD_PARTY_DISCLOSURE),
    # borrowing to pay
    _e(r"(去借|以贷养贷|借钱还|借一笔|(找|去|上)\S{0,8}(平台|网贷|贷款)\S{0,2}借|网贷还|信用卡套现|套现还|撸口子|\b(take|get)( out)? an?( new)? (payday )?loan\b|\bborrow\b.{0,20}\b(family|friends|another lender|to pay)\b|\bsell your (car|house|home|property|belongings)\b|\bremortgage\b)", C.HARASSMENT, K.BORROW_TO_PAY),
    # required elements
    _e(r"(\breply\s+STOP\b|\btext\s+STOP\b|\bopt[ -]out\b|\bunsubscribe\b|回复\s*(TD|T|退订)|退订)", None, K.OPT_OUT, negatable=False),
    _e(r"(\bfrom a debt collector\b|\bthis is a debt collector\b|\battempt(ing)? to collect a debt\b)", None, K.COLLECTOR_DISCLOSURE, negatable=False),
    _e(r"(\b09\d{2}\s?\d{3}\s?\d{3,4}\b|\b087\d\s?\d{3}\s?\d{3,4}\b|\b084\d\s?\d{3}\s?\d{3,4}\b|\b118\s?\d{3}\b|\b1-?900-?\d)", None, K.PREMIUM_NUMBER, negatable=False),
)


# "We may instruct enforcement agents once we have obtained a judgment": a lawful possibility, not a claim
# that an order exists. Only this narrow shape is exempted; "our bailiffs will attend tomorrow" is not.
_LAWFUL_POSSIBILITY = re.compile(
    r"(\b(once|if|after|when)\b.{0,20}\b(obtain(ed)?|get|got|have|has|grant(ed|s)?)\b.{0,25}\b(judg(e)?ment|court order|CCJ)\b"
    r"|(取得|获得|拿到)(生效)?(判决|裁决)(书)?后|(判决|裁决)生效后)",
    re.IGNORECASE,
)


class PhraseChecker:
    """Lexicon-based `ContentChecker`. Deterministic; explains every finding with its span."""

    def __init__(self, lexicon: tuple[Entry, ...] = LEXICON) -> None:
        self.lexicon = lexicon

    def check(self, text: str, *, audience: str = "debtor", lang: str | None = None) -> ContentReport:
        findings: list[ContentFinding] = []
        for e in self.lexicon:
            for m in e.pattern.finditer(text):
                neg = e.negatable and negated(text, m.start())
                if e.claim is Claim.COURT_ORDER and _LAWFUL_POSSIBILITY.search(text):
                    neg = True
                findings.append(
                    ContentFinding(
                        category=e.category,
                        claim=e.claim,
                        span=Span(m.start(), m.end(), m.group(0)),
                        negated=neg,
                    )
                )
                if not neg:
                    break
        cats = {f.category for f in findings if f.category is not None and not f.negated}
        if audience == "third_party" and any(f.claim is Claim.DEBT_FACTS and not f.negated for f in findings):
            cats.add(ContentCategory.THIRD_PARTY_DISCLOSURE)
            findings.append(ContentFinding(ContentCategory.THIRD_PARTY_DISCLOSURE, None, None))
        violation = bool(cats - {ContentCategory.FALSE_REPRESENTATION}) or ContentCategory.FALSE_REPRESENTATION in cats
        return ContentReport(violation=violation, score=1.0 if violation else 0.0, findings=tuple(findings))


class CombinedChecker:
    """Several checkers as one: findings are merged, and a violation in any of them is a violation."""

    def __init__(self, checkers: tuple[ContentChecker, ...]) -> None:
        self.checkers = checkers

    def check(self, text: str, *, audience: str = "debtor", lang: str | None = None) -> ContentReport:
        reports = [c.check(text, audience=audience, lang=lang) for c in self.checkers]
        findings = tuple(f for r in reports for f in r.findings)
        return ContentReport(
            violation=any(r.violation for r in reports),
            score=max((r.score for r in reports), default=0.0),
            findings=findings,
        )
