"""The contract between message content checkers (the text guard) and their users (the compliance engine,
the composer, the API). Pure types only: the guard implements `ContentChecker`, the engine consumes it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class ContentCategory(StrEnum):
    """The guard's categories (shared/spec/textguard.md)."""

    THREAT_VIOLENCE = "threat_violence"
    THREAT_EXPOSURE = "threat_exposure"
    THIRD_PARTY_DISCLOSURE = "third_party_disclosure"
    FALSE_REPRESENTATION = "false_representation"
    INSULT_ABUSE = "insult_abuse"
    HARASSMENT = "harassment"


class Claim(StrEnum):
    """Factual claims about the case state that a text makes. The engine checks each against the case state."""

    LAWSUIT_FILED = "lawsuit_filed"  # 已起诉 / 已立案 / a lawsuit has been filed
    LAWSUIT_THREATENED = "lawsuit_threatened"  # lawful notice that the lender may sue
    COURT_ORDER = "court_order"  # 判决 / 传票 / court order / bailiffs
    POLICE = "police"  # 公安 / 警察 / police involvement
    ARREST = "arrest"  # 拘留 / 坐牢 / arrest / jail: never true for a consumer debt
    GOVERNMENT = "government"  # posing as a government or judicial body
    LAWYER = "lawyer"  # posing as / claiming a lawyer
    CREDIT_REPORT = "credit_report"  # 征信 / credit reporting
    EMPLOYER_NOTICE = "employer_notice"  # 通知你单位 / we will tell your employer
    BLACKLIST = "blacklist"  # 上黑名单 / children's school blacklisting
    DEBT_FACTS = "debt_facts"  # the text states debt facts: amount, overdue, 欠款, lender name
    PAYMENT_DEMAND = "payment_demand"  # the text demands payment
    IMAGE_THREAT = "image_threat"  # 只给你自己看 / 群发 / doctored picture
    CONTACT_LIST = "contact_list"  # refers to the phone book / contacts as a pressure list
    BORROW_TO_PAY = "borrow_to_pay"  # urges new borrowing / selling property to pay
    OPT_OUT = "opt_out"  # contains an opt-out instruction (Reply STOP)
    COLLECTOR_DISCLOSURE = "collector_disclosure"  # "this is a communication from a debt collector"
    PREMIUM_NUMBER = "premium_number"  # asks to call a premium-rate number


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # offsets into the ORIGINAL text, [start, end)
    end: int
    evidence: str


@dataclass(frozen=True, slots=True)
class ContentFinding:
    """One thing a checker found. A violation finding has a category; a claim finding names a claim."""

    category: ContentCategory | None
    claim: Claim | None
    span: Span | None
    negated: bool = False  # "我们不会联系您的通讯录": the mention is ruled out, not made
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class ContentReport:
    violation: bool
    score: float  # probability of a violation, 0..1
    findings: tuple[ContentFinding, ...]

    @property
    def categories(self) -> tuple[ContentCategory, ...]:
        seen: list[ContentCategory] = []
        for f in self.findings:
            if f.category is not None and not f.negated and f.category not in seen:
                seen.append(f.category)
        return tuple(seen)

    @property
    def claims(self) -> frozenset[Claim]:
        return frozenset(f.claim for f in self.findings if f.claim is not None and not f.negated)


class ContentChecker(Protocol):
    def check(self, text: str, *, audience: str = "debtor", lang: str | None = None) -> ContentReport:
        """Judge one text. `audience` is debtor | third_party | transcript."""
        ...
