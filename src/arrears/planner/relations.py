"""The planner's input relations, as data: the contract between the loader (planner pipeline), the runners
(DuckDB, Spark) and the column-wise compliance rules (`rules_sql`).

Conventions
- Times are BIGINT epoch seconds UTC (`*_s`), dates are DATE, flags BOOLEAN (never NULL), enums VARCHAR in their
  wire spelling (`arrears.domain.enums`). Column names follow the import tables where they exist.
- A person is named by `party_id`: the borrower's own `borrower_id` for the debtor, else a `parties.party_id`
  (as in `contact_attempts.party_id`). `points.owner_id` follows the same rule.
- Local time is never computed with a time zone function: `tz_offsets` (UTC offset intervals) and `tz_days`
  (local-day bounds) are small tables built in Python by `zone_rows` for the zones in use, exact across DST.
  They cover the plan date +- `ZONE_MARGIN_DAYS` days; candidates must lie inside that span (the planner only
  proposes contacts on the plan date).
- `account_zones` lists every candidate zone of a borrower (`borrowers.timezones` split on ';', in order,
  `zone_ord` 0 = primary). A contact must pass in all of them. An empty list, or any name that is not an IANA
  zone (a raw offset, "UTC", a typo), fails closed exactly as the engine does.
- `candidates` is one proposed contact at one instant: the planner produces it; the rules answer per `cand_id`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from arrears.compliance.zones import zone

ZONE_MARGIN_DAYS = 3
FAR_PAST_S = -(2**53)  # open ends of the first and last offset interval (safe in a double, too)
FAR_FUTURE_S = 2**53


@dataclass(frozen=True, slots=True)
class Relation:
    name: str
    columns: tuple[tuple[str, str], ...]  # (column, SQL type), in order
    doc: str = ""
    required: bool = True  # False: the runner may pass an empty relation when the planner has none

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.columns)

    def empty_select(self) -> str:
        """A SELECT with this relation's columns and no rows (for a relation the caller does not supply)."""
        cols = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in self.columns)
        return f"SELECT {cols} WHERE 1 = 0"


ACCOUNTS = Relation(
    "accounts",
    (
        ("borrower_id", "VARCHAR"),
        ("tz", "VARCHAR"),  # primary zone (first of borrowers.timezones), for display and windows
        ("utc_offset_s", "INTEGER"),  # the primary zone's offset at local noon on the plan date
        ("language", "VARCHAR"),
        ("region", "VARCHAR"),
        ("is_minor", "BOOLEAN"),
        ("vulnerable", "BOOLEAN"),  # borrowers.vulnerability is not empty
        ("lender_type", "VARCHAR"),  # of the account's main loan (segments); rules read loans.lender_type
        ("unreachable", "BOOLEAN"),  # a recorded 失联 flag (CN-PARTY-2), false when unknown
        ("agency_id", "VARCHAR"),  # NULL: worked in-house
        ("agency_whitelisted", "BOOLEAN"),  # NULL when agency_id is NULL
    ),
    "One row per account (borrower) in the plan.",
)

ACCOUNT_ZONES = Relation(
    "account_zones",
    (("borrower_id", "VARCHAR"), ("zone_ord", "INTEGER"), ("tz", "VARCHAR")),
    "Every candidate zone of each borrower, as written (not validated); zone_ord 0 is the primary zone.",
)

TZ_OFFSETS = Relation(
    "tz_offsets",
    (("tz", "VARCHAR"), ("from_s", "BIGINT"), ("to_s", "BIGINT"), ("utc_offset_s", "INTEGER")),
    "UTC offset of each valid zone on [from_s, to_s); built by `zone_rows`. A zone absent here is invalid.",
)

TZ_DAYS = Relation(
    "tz_days",
    (("tz", "VARCHAR"), ("local_date", "DATE"), ("start_s", "BIGINT"), ("end_s", "BIGINT")),
    "Local calendar day bounds [start_s, end_s) of each valid zone around the plan date; built by `zone_rows`.",
)

LOANS = Relation(
    "loans",
    (
        ("loan_id", "VARCHAR"),
        ("borrower_id", "VARCHAR"),
        ("lender_type", "VARCHAR"),
        ("apr_bp", "INTEGER"),  # loans.apr_all_in_bp
        ("contract_date", "DATE"),
    ),
    "The borrower's loans (rate rules CN-RATE-1/2, CN-CRIM-1 read the attempt's loan).",
)

PARTIES = Relation(
    "parties",
    (
        ("party_id", "VARCHAR"),
        ("borrower_id", "VARCHAR"),
        ("role", "VARCHAR"),
        ("emergency_contact", "BOOLEAN"),
        ("refused_contact", "BOOLEAN"),
        ("relationship_evidence", "BOOLEAN"),
    ),
    "People other than the borrower.",
)

POINTS = Relation(
    "points",
    (
        ("contact_point_id", "VARCHAR"),
        ("borrower_id", "VARCHAR"),
        ("owner_id", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("source", "VARCHAR"),
        ("opted_out", "BOOLEAN"),
        ("employer_provided", "BOOLEAN"),
    ),
    "Contact points (import table contact_points).",
)

HISTORY = Relation(
    "history",
    (
        ("borrower_id", "VARCHAR"),
        ("party_id", "VARCHAR"),
        ("contact_point_id", "VARCHAR"),
        ("channel", "VARCHAR"),
        ("direction", "VARCHAR"),
        ("outcome", "VARCHAR"),
        ("at_s", "BIGINT"),
    ),
    "Contact history, both directions (import table contact_attempts).",
)

HOLDS = Relation(
    "holds",
    (
        ("borrower_id", "VARCHAR"),
        ("loan_id", "VARCHAR"),
        ("kind", "VARCHAR"),  # domain.enums.HoldKind
        ("start_date", "DATE"),
        ("end_date", "DATE"),  # exclusive, NULL = open-ended (as in the import format)
    ),
    "Holds on the account. Active on the plan date D when start_date <= D < end_date (or no end).",
)

CANDIDATES = Relation(
    "candidates",
    (
        ("cand_id", "BIGINT"),
        ("borrower_id", "VARCHAR"),
        ("loan_id", "VARCHAR"),  # NULL: the account's only loan, if it has exactly one
        ("party_id", "VARCHAR"),  # who is contacted: borrower_id for the debtor
        ("contact_point_id", "VARCHAR"),  # NULL for a channel without a point
        ("channel", "VARCHAR"),
        ("purpose", "VARCHAR"),  # domain.enums.Purpose
        ("script", "VARCHAR"),
        ("at_s", "BIGINT"),  # the proposed instant
    ),
    "One proposed contact at one instant (produced by the planner).",
)

VISIT_PLANS = Relation(
    "visit_plans",
    (
        ("cand_id", "BIGINT"),
        ("staff_count", "INTEGER"),
        ("recording", "BOOLEAN"),
        ("location_type", "VARCHAR"),
        ("notice_at_s", "BIGINT"),  # NULL: no notice given
    ),
    "The plan of each candidate field visit; a visit candidate without one is blocked (plan missing).",
    required=False,
)

RELATIONS: tuple[Relation, ...] = (
    ACCOUNTS,
    ACCOUNT_ZONES,
    TZ_OFFSETS,
    TZ_DAYS,
    LOANS,
    PARTIES,
    POINTS,
    HISTORY,
    HOLDS,
    CANDIDATES,
    VISIT_PLANS,
)
BY_NAME = {r.name: r for r in RELATIONS}


def split_zones(timezones: str) -> tuple[str, ...]:
    """`borrowers.timezones` (';'-joined) as the engine's candidate list, in order; blanks dropped."""
    return tuple(x.strip() for x in timezones.split(";") if x.strip())


def account_zone_rows(borrower_id: str, timezones: str | Sequence[str]) -> list[tuple[str, int, str]]:
    names = split_zones(timezones) if isinstance(timezones, str) else tuple(timezones)
    return [(borrower_id, i, n) for i, n in enumerate(names)]


def _offset(z: object, ts: int) -> int:
    local = datetime.fromtimestamp(ts, UTC).astimezone(z)  # type: ignore[arg-type]
    off = local.utcoffset()
    assert off is not None
    return int(off.total_seconds())


def zone_rows(
    names: Iterable[str], plan_date: date, margin_days: int = ZONE_MARGIN_DAYS
) -> tuple[list[tuple[str, int, int, int]], list[tuple[str, date, int, int]]]:
    """(tz_offsets rows, tz_days rows) for the valid zones among `names`, around `plan_date`.

    Offsets: exact transition instants (found by bisection between hourly samples) inside
    [plan_date - margin - 1 day, plan_date + margin + 2 days) UTC; the first and last interval are open-ended.
    Days: local dates plan_date - margin .. plan_date + margin with the engine's own bounds
    (`compliance.rules.base.midnight_ts`: local midnight, fold 0)."""
    from arrears.compliance.rules.base import midnight_ts

    offsets: list[tuple[str, int, int, int]] = []
    days: list[tuple[str, date, int, int]] = []
    lo = int(datetime.combine(plan_date - timedelta(days=margin_days + 1), datetime.min.time(), UTC).timestamp())
    hi = lo + (2 * margin_days + 3) * 86400
    for name in sorted(set(names)):
        z = zone(name)
        if z is None:
            continue
        start, cur = FAR_PAST_S, _offset(z, lo)
        for t in range(lo + 3600, hi + 1, 3600):
            off = _offset(z, t)
            if off == cur:
                continue
            a, b = t - 3600, t  # offset(a) == cur != offset(b): the change is in (a, b]
            while b - a > 1:
                m = (a + b) // 2
                if _offset(z, m) == cur:
                    a = m
                else:
                    b = m
            offsets.append((name, start, b, cur))
            start, cur = b, off
        offsets.append((name, start, FAR_FUTURE_S, cur))
        for k in range(-margin_days, margin_days + 1):
            d = plan_date + timedelta(days=k)
            days.append((name, d, int(midnight_ts(d, z)), int(midnight_ts(d + timedelta(days=1), z))))
    return offsets, days


def primary_offset_s(timezones: str | Sequence[str], plan_date: date) -> int | None:
    """`accounts.utc_offset_s`: the primary zone's offset at local noon on the plan date (None if invalid)."""
    names = split_zones(timezones) if isinstance(timezones, str) else tuple(timezones)
    z = zone(names[0]) if names else None
    if z is None:
        return None
    off = datetime(plan_date.year, plan_date.month, plan_date.day, 12, tzinfo=z).utcoffset()
    return None if off is None else int(off.total_seconds())
