"""The import format, as data. `docs/import-format.md` is generated from this module.

One CSV or Parquet file per table, named `<table>.csv` or `<table>.parquet`. The synthetic generator writes
this format and the importer reads it, so this module is the one contract between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from arrears.domain.enums import (
    Channel,
    ContactPointKind,
    Direction,
    HoldKind,
    LenderType,
    Outcome,
    Role,
    Source,
)


class ColType(StrEnum):
    STR = "str"
    INT = "int"  # integers; money columns end in `_minor` (分 / cents)
    BOOL = "bool"  # true/false, 1/0
    DATE = "date"  # ISO 8601 date, 2026-03-10
    DATETIME = "datetime"  # ISO 8601 instant with an offset, 2026-03-10T09:00:00+08:00; naive is an error
    ENUM = "enum"
    TZLIST = "tzlist"  # ';'-separated IANA zone names, at least one; raw offsets are errors
    STRLIST = "strlist"  # ';'-separated values, may be empty


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColType
    required: bool = True
    doc: str = ""
    choices: tuple[str, ...] = ()
    min_value: int | None = None
    references: str | None = None  # "table.column" that must exist (in the file set or the database)
    default: str | None = None  # what an empty optional cell means, written as in a file (else the type's default)


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    key: tuple[str, ...]  # the natural key: re-importing a row with the same key updates it in place
    columns: tuple[Column, ...]
    doc: str
    required_file: bool = True

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _enum(e: type[StrEnum]) -> tuple[str, ...]:
    return tuple(m.value for m in e)


THIRD_PARTY_ROLES = tuple(r.value for r in Role if r is not Role.DEBTOR)

BORROWERS = Table(
    name="borrowers",
    key=("borrower_id",),
    doc="One row per borrower (the debtor).",
    columns=(
        Column("borrower_id", ColType.STR, doc="Stable id from the lender's system."),
        Column("name", ColType.STR, doc="Full name. Masked in every view."),
        Column("region", ColType.STR, doc="Province/city, e.g. 广东省深圳市."),
        Column("timezones", ColType.TZLIST, doc="Candidate IANA zones, ';'-separated. A contact must pass in all."),
        Column("language", ColType.ENUM, choices=("zh-CN", "en"), doc="Preferred language."),
        Column("is_minor", ColType.BOOL, required=False, doc="Defaults to false."),
        Column("vulnerability", ColType.STRLIST, required=False, doc="e.g. serious_illness;bereavement."),
        Column("national_id_masked", ColType.STR, required=False, doc="Masked ID number only (110***********1234)."),
    ),
)

LOANS = Table(
    name="loans",
    key=("loan_id",),
    doc="One row per loan contract.",
    columns=(
        Column("loan_id", ColType.STR),
        Column("borrower_id", ColType.STR, references="borrowers.borrower_id"),
        Column("lender", ColType.STR, doc="Lender name."),
        Column("lender_type", ColType.ENUM, choices=_enum(LenderType), doc="licensed or private (民间借贷)."),
        Column("licence", ColType.STR, doc="bank, consumer_finance, micro_lender, online_platform, none."),
        Column("product", ColType.STR),
        Column("currency", ColType.STR, doc="ISO 4217, e.g. CNY."),
        Column("principal_minor", ColType.INT, min_value=1, doc="Principal in minor units (分)."),
        Column("apr_all_in_bp", ColType.INT, min_value=0, doc="All-in annual rate in basis points (2400 = 24%)."),
        Column("contract_date", ColType.DATE),
    ),
)

INSTALMENTS = Table(
    name="instalments",
    key=("loan_id", "seq"),
    doc="The repayment schedule. Days past due count from the due date of the oldest unpaid instalment.",
    columns=(
        Column("loan_id", ColType.STR, references="loans.loan_id"),
        Column("seq", ColType.INT, min_value=1, doc="1, 2, 3 ... in due-date order."),
        Column("due_date", ColType.DATE),
        Column("principal_minor", ColType.INT, min_value=0),
        Column("interest_minor", ColType.INT, min_value=0),
        Column("fee_minor", ColType.INT, min_value=0, required=False, doc="Defaults to 0."),
    ),
)

PAYMENTS = Table(
    name="payments",
    key=("payment_id",),
    doc="Payments received. Applied oldest instalment first: fees, then interest, then principal.",
    columns=(
        Column("payment_id", ColType.STR),
        Column("loan_id", ColType.STR, references="loans.loan_id"),
        Column("paid_at", ColType.DATETIME),
        Column("amount_minor", ColType.INT, min_value=1),
        Column("channel", ColType.STR, required=False, doc="bank_transfer, app, alipay, wechat_pay ..."),
    ),
)

PARTIES = Table(
    name="parties",
    key=("party_id",),
    doc="People other than the borrower: guarantors, co-obligors and the contacts the borrower named.",
    columns=(
        Column("party_id", ColType.STR),
        Column("borrower_id", ColType.STR, references="borrowers.borrower_id"),
        Column("role", ColType.ENUM, choices=THIRD_PARTY_ROLES),
        Column("name", ColType.STR),
        Column("relation", ColType.STR, required=False, doc="As the borrower described it, e.g. 母亲."),
        Column("emergency_contact", ColType.BOOL, required=False, doc="Named by the borrower as an emergency contact."),
        Column("refused_contact", ColType.BOOL, required=False, doc="Asked not to be contacted again."),
        Column("relationship_evidence", ColType.BOOL, required=False, doc="Documented link to the debt (CN-PARTY-3)."),
    ),
)

CONTACT_POINTS = Table(
    name="contact_points",
    key=("contact_point_id",),
    doc=(
        "Phone numbers, emails, IM handles and addresses. `source` must be one of the lawful channels of "
        "CN-DATA-1; device_contact_list, purchased and unknown are refused."
    ),
    columns=(
        Column("contact_point_id", ColType.STR),
        Column("borrower_id", ColType.STR, references="borrowers.borrower_id"),
        Column("owner_id", ColType.STR, doc="The borrower_id, or a party_id of the same borrower."),
        Column("kind", ColType.ENUM, choices=_enum(ContactPointKind)),
        Column("value", ColType.STR, doc="The number or address. Masked in every view."),
        Column("source", ColType.ENUM, choices=_enum(Source), doc="Data lineage (CN-DATA-1)."),
        Column("opted_out", ColType.BOOL, required=False),
        Column("employer_provided", ColType.BOOL, required=False),
    ),
)

CONTACT_ATTEMPTS = Table(
    name="contact_attempts",
    key=("attempt_id",),
    doc="Contact history, both directions. Immutable once logged.",
    columns=(
        Column("attempt_id", ColType.STR),
        Column("borrower_id", ColType.STR, references="borrowers.borrower_id"),
        Column("loan_id", ColType.STR, required=False, references="loans.loan_id"),
        Column("party_id", ColType.STR, doc="Who was contacted (or who called in): the borrower_id or a party_id."),
        Column("contact_point_id", ColType.STR, required=False, references="contact_points.contact_point_id"),
        Column("channel", ColType.ENUM, choices=_enum(Channel)),
        Column("direction", ColType.ENUM, choices=_enum(Direction)),
        Column("outcome", ColType.ENUM, choices=_enum(Outcome)),
        Column("at", ColType.DATETIME),
        Column("collector_id", ColType.STR, required=False),
        Column("agency_id", ColType.STR, required=False),
        Column("text", ColType.STR, required=False),
    ),
)

HOLDS = Table(
    name="holds",
    key=("hold_id",),
    doc="Pauses on collection: cease, dispute, hardship, complaint, deceased, bankruptcy, breathing space.",
    required_file=False,
    columns=(
        Column("hold_id", ColType.STR),
        Column("borrower_id", ColType.STR, references="borrowers.borrower_id"),
        Column("loan_id", ColType.STR, required=False, references="loans.loan_id"),
        Column("kind", ColType.ENUM, choices=_enum(HoldKind)),
        Column("start", ColType.DATE),
        Column("end", ColType.DATE, required=False, doc="Exclusive; empty means open-ended."),
        Column("reason", ColType.STR),
    ),
)

AGENT_LANGUAGES = ("zh-CN", "en")
# What an agent may be given: the channels of a planned contact, plus `legal` (the legal/outsourcing stage).
AGENT_SKILLS = ("call", "ai_voice", "sms", "im", "email", "letter", "visit", "legal")

AGENTS = Table(
    name="agents",
    key=("agent_id",),
    doc=(
        "The collection agents and their teams. A team that is not in the database yet is created from "
        "`team_id` and `team_name`; a `team_name` given for a known team renames it."
    ),
    required_file=False,
    columns=(
        Column("agent_id", ColType.STR),
        Column("team_id", ColType.STR),
        Column(
            "team_name",
            ColType.STR,
            required=False,
            doc="The team's display name; the same for every row of a team. A new team without one is named by its id.",
        ),
        Column("name", ColType.STR, doc="The agent's name as shown to supervisors."),
        Column(
            "languages",
            ColType.STRLIST,
            required=False,
            default="zh-CN",
            choices=AGENT_LANGUAGES,
            doc="Languages the agent works in, ';'-separated.",
        ),
        Column(
            "skills",
            ColType.STRLIST,
            required=False,
            default="call;sms",
            choices=AGENT_SKILLS,
            doc="Channels the agent may work, and `legal`, ';'-separated.",
        ),
        Column(
            "daily_capacity",
            ColType.INT,
            required=False,
            default="150",
            min_value=0,
            doc="Planned contacts a day, at most.",
        ),
        Column("active", ColType.BOOL, required=False, default="true", doc="An inactive agent gets no worklist."),
    ),
)

ASSIGNMENTS = Table(
    name="assignments",
    key=("borrower_id",),
    doc="The standing owner of each account: the agent whose worklist it appears on. One agent per borrower.",
    required_file=False,
    columns=(
        Column("borrower_id", ColType.STR, references="borrowers.borrower_id"),
        Column("agent_id", ColType.STR, references="agents.agent_id"),
        Column("since", ColType.DATE, doc="The day the agent took the account."),
    ),
)

# Load order respects references.
TABLES: tuple[Table, ...] = (
    BORROWERS,
    LOANS,
    INSTALMENTS,
    PAYMENTS,
    PARTIES,
    CONTACT_POINTS,
    CONTACT_ATTEMPTS,
    HOLDS,
    AGENTS,
    ASSIGNMENTS,
)
TABLES_BY_NAME = {t.name: t for t in TABLES}
