"""Reading accounts for the workspace: the paginated list of the accounts a user may see, and the customer
view ("know the customer first"): profile, loans with schedule and payments, DPD and bucket history, score,
holds, the designated contacts (masked) and their status, contact history, and today's planned step with its
reason. Opening a customer view is written to the audit log. Every read goes through the user's `Scope`."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    BindParameter,
    Connection,
    Date,
    Engine,
    Float,
    String,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)

from arrears.domain.clock import Clock
from arrears.services.access import NotVisible, Scope
from arrears.services.account_views import (
    AccountPage,
    AccountSummary,
    AttemptView,
    BucketSpell,
    ContactPointView,
    CustomerView,
    DpdPoint,
    Holdback,
    HoldView,
    Instalment,
    LoanView,
    PartyView,
    Payment,
    PlannedStep,
    Profile,
    Today,
)
from arrears.services.auth import User
from arrears.services.masking import mask_contact
from arrears.storage import audit, direct
from arrears.storage.tables import (
    borrowers,
    bucket_history,
    contact_attempts,
    contact_points,
    holds,
    instalments,
    loan_delinquency,
    loan_scores,
    loans,
    parties,
    payments,
)
from arrears.storage.tables_plan import agents, assignments, plan_contacts, plan_holdbacks, plan_runs
from arrears.storage.types import UTCDateTime

T = TypeVar("T")
ATTEMPTS_SHOWN = 100
DPD_HISTORY_SHOWN = 90


def _split(text: str | None) -> list[str]:
    return [p for p in (text or "").split(";") if p]


def local_date(clock: Clock, timezone: str) -> date:
    return clock.now().astimezone(ZoneInfo(timezone)).date()


# ---------------------------------------------------------------- list


def list_accounts(engine: Engine, *, scope: Scope, page: int = 1, size: int = 50) -> AccountPage:
    """The accounts the user may see, by borrower id, one page at a time, with their worst DPD and overdue."""
    page = max(1, page)
    size = max(1, min(size, 200))
    visible = scope.visible(borrowers.c.borrower_id)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(borrowers).where(visible)).scalar_one()
        rows = conn.execute(
            select(
                borrowers.c.borrower_id,
                borrowers.c.name,
                borrowers.c.region,
                assignments.c.agent_id,
                agents.c.team_id,
            )
            .select_from(
                borrowers.outerjoin(
                    assignments, assignments.c.borrower_id == borrowers.c.borrower_id
                ).outerjoin(agents, agents.c.agent_id == assignments.c.agent_id)
            )
            .where(visible)
            .order_by(borrowers.c.borrower_id)
            .limit(size)
            .offset((page - 1) * size)
        ).all()
        ids = [r.borrower_id for r in rows]
        facts = _latest_facts(conn, ids)
    items = [
        AccountSummary(
            r.borrower_id,
            r.name,
            r.region,
            r.agent_id,
            r.team_id,
            *facts.get(r.borrower_id, (0, None, None, 0)),
        )
        for r in rows
    ]
    return AccountPage(items, page, size, int(total))


def _latest_facts(
    conn: Connection, borrower_ids: list[str]
) -> dict[str, tuple[int, int | None, str | None, int]]:
    """Per borrower: (loans, worst dpd, its bucket, overdue) from each loan's latest delinquency snapshot."""
    if not borrower_ids:
        return {}
    latest = (
        select(loan_delinquency.c.loan_id, func.max(loan_delinquency.c.as_of).label("as_of"))
        .join(loans, loans.c.loan_id == loan_delinquency.c.loan_id)
        .where(loans.c.borrower_id.in_(borrower_ids))
        .group_by(loan_delinquency.c.loan_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            loans.c.borrower_id,
            loans.c.loan_id,
            loan_delinquency.c.dpd,
            loan_delinquency.c.bucket,
            (
                loan_delinquency.c.overdue_principal_minor
                + loan_delinquency.c.overdue_interest_minor
                + loan_delinquency.c.overdue_penalty_minor
            ).label("overdue"),
        )
        .select_from(
            loans.outerjoin(latest, latest.c.loan_id == loans.c.loan_id).outerjoin(
                loan_delinquency,
                and_(
                    loan_delinquency.c.loan_id == latest.c.loan_id, loan_delinquency.c.as_of == latest.c.as_of
                ),
            )
        )
        .where(loans.c.borrower_id.in_(borrower_ids))
    ).all()
    out: dict[str, tuple[int, int | None, str | None, int]] = {}
    for r in rows:
        n, dpd, bucket, overdue = out.get(r.borrower_id, (0, None, None, 0))
        if r.dpd is not None and (dpd is None or r.dpd > dpd):
            dpd, bucket = r.dpd, r.bucket
        out[r.borrower_id] = (n + 1, dpd, bucket, overdue + int(r.overdue or 0))
    return out


# ---------------------------------------------------------------- customer view
#
# One connection and one transaction per view, and few statements: the access check rides on the profile
# query, each per-loan table is read once for all the borrower's loans (joined on loans.borrower_id), the
# attempt count is a window over the shown page, and today's plan (newest run, steps, hold-back) is one
# statement. The statements are built once (bind parameters), so each execution skips SQL construction and
# hits the compiled cache (and psycopg's prepared statements on a pooled connection).

_b: BindParameter[str] = bindparam("b")
_LOANS_OF_B = loans.c.borrower_id == _b

_LATEST_SCORE = (
    select(loan_scores.c.score)
    .where(loan_scores.c.loan_id == loans.c.loan_id)
    .order_by(loan_scores.c.as_of.desc())
    .limit(1)
)
# The loans (each with its latest score), everything per loan (schedule, payments, delinquency snapshots, bucket
# spells) and the account's holds, in ONE statement: each part fills the columns it needs of one shared layout
# and is told apart by `what`; the first part types the columns (so dates, instants and amounts come back as
# such on every database). Sorted here.
_N = null()
_DETAIL_COLS = (
    "what",
    "loan_id",
    "s1",
    "s2",
    "s3",
    "d1",
    "d2",
    "ts",
    "n0",
    "n1",
    "n2",
    "n3",
    "n4",
    "s4",
    "s5",
    "s6",
    "f0",
)


def _part(what: str, *cols: Any) -> Any:
    return select(*[c.label(n) for c, n in zip((literal(what), *cols), _DETAIL_COLS, strict=True)])


_Q_DETAILS = union_all(
    _part(
        "i",
        instalments.c.loan_id,
        cast(_N, String),
        cast(_N, String),
        cast(_N, Text),
        instalments.c.due_date,
        cast(_N, Date),
        cast(_N, UTCDateTime),
        cast(instalments.c.seq, BigInteger),
        instalments.c.principal_minor,
        instalments.c.interest_minor,
        instalments.c.fee_minor,
        cast(_N, BigInteger),
        cast(_N, String),
        cast(_N, String),
        cast(_N, String),
        cast(_N, Float),
    )
    .join(loans, loans.c.loan_id == instalments.c.loan_id)
    .where(_LOANS_OF_B),
    _part(
        "p",
        payments.c.loan_id,
        payments.c.payment_id,
        payments.c.channel,
        _N,
        _N,
        _N,
        payments.c.paid_at,
        _N,
        payments.c.amount_minor,
        _N,
        _N,
        _N,
        _N,
        _N,
        _N,
        _N,
    )
    .join(loans, loans.c.loan_id == payments.c.loan_id)
    .where(_LOANS_OF_B),
    _part(
        "d",
        loan_delinquency.c.loan_id,
        loan_delinquency.c.bucket,
        loan_delinquency.c.rate_flags,
        _N,
        loan_delinquency.c.as_of,
        _N,
        _N,
        loan_delinquency.c.dpd,
        loan_delinquency.c.overdue_principal_minor,
        loan_delinquency.c.overdue_interest_minor,
        loan_delinquency.c.overdue_penalty_minor,
        loan_delinquency.c.non_demandable_minor,
        _N,
        _N,
        _N,
        _N,
    )
    .join(loans, loans.c.loan_id == loan_delinquency.c.loan_id)
    .where(_LOANS_OF_B),
    _part(
        "s",
        bucket_history.c.loan_id,
        bucket_history.c.bucket,
        _N,
        _N,
        bucket_history.c.start_date,
        bucket_history.c.end_date,
        _N,
        _N,
        _N,
        _N,
        _N,
        _N,
        _N,
        _N,
        _N,
        _N,
    )
    .join(loans, loans.c.loan_id == bucket_history.c.loan_id)
    .where(_LOANS_OF_B),
    _part(
        "h",
        holds.c.loan_id,
        holds.c.hold_id,
        holds.c.kind,
        holds.c.reason,
        holds.c.start,
        holds.c.end,
        _N,
        _N,
        _N,
        _N,
        _N,
        _N,
        _N,
        _N,
        _N,
        _N,
    ).where(holds.c.borrower_id == _b),
    _part(  # the loans themselves, each with its latest score (scalar subqueries)
        "l",
        loans.c.loan_id,
        loans.c.lender,
        loans.c.lender_type,
        loans.c.licence,
        loans.c.contract_date,
        _LATEST_SCORE.with_only_columns(loan_scores.c.as_of).scalar_subquery(),
        _N,
        _N,
        loans.c.principal_minor,
        loans.c.apr_all_in_bp,
        _N,
        _N,
        loans.c.product,
        loans.c.currency,
        _LATEST_SCORE.with_only_columns(loan_scores.c.model_version).scalar_subquery(),
        _LATEST_SCORE.scalar_subquery(),
    ).where(_LOANS_OF_B),
)


class _Snapshot(NamedTuple):
    as_of: date
    dpd: int
    bucket: str
    overdue_principal_minor: int
    overdue_interest_minor: int
    overdue_penalty_minor: int
    non_demandable_minor: int
    rate_flags: str


class _Loan(NamedTuple):
    loan_id: str
    lender: str
    lender_type: str
    licence: str
    product: str
    currency: str
    principal_minor: int
    apr_all_in_bp: int
    contract_date: date
    score: float | None
    score_as_of: date | None
    model_version: str | None


@dataclass(slots=True)
class _Details:
    schedule: dict[str, list[Instalment]] = field(default_factory=lambda: defaultdict(list))
    payments: dict[str, list[Payment]] = field(default_factory=lambda: defaultdict(list))
    snapshots: dict[str, list[_Snapshot]] = field(default_factory=lambda: defaultdict(list))
    spells: dict[str, list[BucketSpell]] = field(default_factory=lambda: defaultdict(list))
    holds: list[Any] = field(default_factory=list)
    loans: list[_Loan] = field(default_factory=list)


def _details(rows: Sequence[Any]) -> _Details:
    """The rows of `_Q_DETAILS`, sorted out by kind."""
    out = _Details()
    for what, loan_id, s1, s2, s3, d1, d2, ts, n0, n1, n2, n3, n4, s4, s5, s6, f0 in rows:
        if what == "i":
            fee = int(n3 or 0)
            out.schedule[loan_id].append(
                Instalment(int(n0), d1, int(n1), int(n2), fee, int(n1) + int(n2) + fee)
            )
        elif what == "p":
            out.payments[loan_id].append(Payment(s1, ts, int(n1), s2))
        elif what == "d":
            out.snapshots[loan_id].append(_Snapshot(d1, int(n0), s1, int(n1), int(n2), int(n3), int(n4), s2))
        elif what == "s":
            out.spells[loan_id].append(BucketSpell(d1, d2, s1))
        elif what == "l":
            out.loans.append(_Loan(loan_id, s1, s2, s3, s4, s5, n1, n2, d1, f0, d2, s6))
        else:
            out.holds.append((s1, loan_id, s2, d1, d2, s3))
    # the orders the parts had as statements of their own (ties as the database returns them)
    for sched in out.schedule.values():
        sched.sort(key=lambda i: i.seq)
    for pays in out.payments.values():
        pays.sort(key=lambda pm: pm.paid_at)
    for snaps in out.snapshots.values():
        snaps.sort(key=lambda sn: sn.as_of, reverse=True)
    for spells in out.spells.values():
        spells.sort(key=lambda sp: sp.start_date)
    out.holds.sort(key=lambda h: h[3], reverse=True)
    out.loans.sort(key=lambda ln: (ln.contract_date, ln.loan_id))
    return out


# The contact points and the third parties of the account in one statement: both have four text and three
# boolean columns, told apart by the first.
_Q_POINTS_AND_PARTIES = union_all(
    select(
        literal("point").label("what"),
        contact_points.c.contact_point_id.label("id"),
        contact_points.c.owner_id.label("a"),
        contact_points.c.kind.label("b"),
        contact_points.c.value.label("c"),
        contact_points.c.source.label("d"),
        contact_points.c.opted_out.label("f1"),
        contact_points.c.employer_provided.label("f2"),
        literal(False).label("f3"),
    ).where(contact_points.c.borrower_id == _b),
    select(
        literal("party"),
        parties.c.party_id,
        parties.c.role,
        parties.c.name,
        parties.c.relation,
        literal(None),
        parties.c.emergency_contact,
        parties.c.refused_contact,
        parties.c.relationship_evidence,
    ).where(parties.c.borrower_id == _b),
).order_by("what", "id")
_ATTEMPT_COLS = (
    contact_attempts.c.attempt_id,
    contact_attempts.c.at,
    contact_attempts.c.loan_id,
    contact_attempts.c.party_id,
    contact_attempts.c.contact_point_id,
    contact_attempts.c.channel,
    contact_attempts.c.direction,
    contact_attempts.c.outcome,
    contact_attempts.c.collector_id,
    contact_attempts.c.text,
)
_Q_ATTEMPTS = (  # the newest page, each row carrying the account's total (a window runs before LIMIT)
    select(*_ATTEMPT_COLS, func.count().over().label("total"))
    .where(contact_attempts.c.borrower_id == _b)
    .order_by(contact_attempts.c.at.desc(), contact_attempts.c.attempt_id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_RUN = (
    select(func.max(plan_runs.c.run_id).label("run_id"))
    .where(plan_runs.c.plan_date == bindparam("day"), plan_runs.c.status == "succeeded")
    .subquery("today_run")
)
_Q_TODAY = (  # always one row at least (the aggregate), then one per planned step; the hold-back is 0..1 per run
    select(
        _RUN.c.run_id,
        plan_contacts.c.seq,
        plan_contacts.c.channel,
        plan_contacts.c.segment,
        plan_contacts.c.treatment,
        plan_contacts.c.step,
        plan_contacts.c.strategy_variant,
        plan_contacts.c.script,
        plan_contacts.c.window_start,
        plan_contacts.c.window_end,
        plan_contacts.c.priority,
        plan_contacts.c.expected_recovery_minor,
        plan_contacts.c.score,
        plan_contacts.c.promise_due,
        plan_contacts.c.agent_id,
        plan_contacts.c.rank,
        plan_contacts.c.rules_json,
        plan_contacts.c.party_id,
        plan_contacts.c.contact_point_id,
        plan_contacts.c.status,
        plan_holdbacks.c.reason.label("hb_reason"),
        plan_holdbacks.c.rules_json.label("hb_rules"),
        plan_holdbacks.c.detail.label("hb_detail"),
    )
    .select_from(
        _RUN.outerjoin(
            plan_contacts, and_(plan_contacts.c.run_id == _RUN.c.run_id, plan_contacts.c.borrower_id == _b)
        ).outerjoin(
            plan_holdbacks, and_(plan_holdbacks.c.run_id == _RUN.c.run_id, plan_holdbacks.c.borrower_id == _b)
        )
    )
    .order_by(plan_contacts.c.seq)
)


def customer_view(
    engine: Engine,
    *,
    user: User,
    scope: Scope,
    borrower_id: str,
    clock: Clock,
    timezone: str,
    audit_source: str = "web",
) -> CustomerView:
    """Everything about one account the user may see; raises `NotVisible`. Audited as `account.view`."""
    view, _ = customer_view_with(
        engine,
        user=user,
        scope=scope,
        borrower_id=borrower_id,
        clock=clock,
        timezone=timezone,
        audit_source=audit_source,
        also=_nothing,
    )
    return view


def _nothing(conn: Connection, view: CustomerView) -> None:
    return None


def customer_view_with(
    engine: Engine,
    *,
    user: User,
    scope: Scope,
    borrower_id: str,
    clock: Clock,
    timezone: str,
    also: Callable[[Connection, CustomerView], T],
    audit_source: str = "web",
    prefetch: Sequence[Any] = (),
) -> tuple[CustomerView, T]:
    """The customer view and `also(conn, view)`, read on the same connection (one connection for the whole page:
    the workspace panel reads its part there). Audited as `account.view`: the record is committed before this
    returns (so no view is shown unaudited), in a transaction of its own grouped with the other views of the
    moment (storage/audit.py `append_committed`), after the reads. Raises
    `NotVisible` (and then nothing is audited, as before). `prefetch`: see `read_customer_view`."""
    today = local_date(clock, timezone)
    with engine.connect() as conn:
        # Reads in autocommit: each statement sees the latest commit, as in a READ COMMITTED transaction, without
        # the BEGIN and ROLLBACK round trips. The audit append opens the one transaction it needs.
        conn.execution_options(isolation_level="AUTOCOMMIT")
        view = read_customer_view(conn, scope=scope, borrower_id=borrower_id, today=today, prefetch=prefetch)
        extra = also(conn, view)
        audit.append_committed(
            conn,
            at=clock.now(),
            actor=user.actor,
            action="account.view",
            subject=f"borrower:{borrower_id}",
            detail={"masked": True, "source": audit_source},
        )
    return view, extra


def read_customer_view(
    conn: Connection, *, scope: Scope, borrower_id: str, today: date, prefetch: Sequence[Any] = ()
) -> CustomerView:
    """The view's reads on an open connection (no audit: the caller appends it). Raises `NotVisible`.
    `prefetch`: statements with the one parameter `b` (the borrower id), read with the view's reads (after the
    scope check has been sent, and dropped when it fails); their rows are in `view.prefetched`."""
    b = {"b": borrower_id}
    # the five reads go to the server together (one round trip on PostgreSQL: storage/direct.py). The profile's
    # read carries the scope check; the others read by borrower id only and are dropped unread when it finds
    # nothing (an account out of scope costs its reads, and nothing of it leaves this function)
    found = direct.pipeline(
        conn,
        [
            (_profile_query(scope), {**b, **scope.params()}),
            (_Q_DETAILS, b),
            (_Q_POINTS_AND_PARTIES, b),
            (_Q_ATTEMPTS, {"b": borrower_id, "limit": ATTEMPTS_SHOWN, "offset": 0}),
            (_Q_TODAY, {"b": borrower_id, "day": today}),
            *((stmt, b) for stmt in prefetch),
        ],
    )
    profile_rows, detail_rows, contact_rows, attempt_rows, today_rows = found[:5]
    prof = _profile(profile_rows[0]) if profile_rows else None
    if prof is None:
        raise NotVisible(borrower_id)
    details = _details(detail_rows)
    loan_views = _loans(details)
    hold_views = [
        HoldView(hold_id, loan_id, kind, start, end, reason, start <= today and (end is None or end >= today))
        for hold_id, loan_id, kind, start, end, reason in details.holds
    ]
    contacts, masked_points, roles = _contacts(contact_rows, borrower_id, prof.name)
    attempts, total = _attempts(conn, attempt_rows, borrower_id, masked_points, roles)
    today_view = _today(today_rows, today, masked_points)
    prefetched = dict(zip(prefetch, found[5:], strict=True))
    return CustomerView(prof, loan_views, hold_views, contacts, attempts, total, today_view, prefetched)


_PROFILES: dict[tuple[object, ...], Any] = {}


def _profile_query(scope: Scope) -> Any:
    """The profile statement for a scope's shape, built once (the ids are bind parameters)."""
    found = _PROFILES.get(scope.shape)
    if found is None:
        found = (
            select(
                borrowers.c.borrower_id,
                borrowers.c.name,
                borrowers.c.region,
                borrowers.c.timezones,
                borrowers.c.language,
                borrowers.c.is_minor,
                borrowers.c.vulnerability,
                borrowers.c.national_id_masked,
                assignments.c.agent_id,
                agents.c.name.label("agent_name"),
                agents.c.team_id,
            )
            .select_from(
                borrowers.outerjoin(
                    assignments, assignments.c.borrower_id == borrowers.c.borrower_id
                ).outerjoin(agents, agents.c.agent_id == assignments.c.agent_id)
            )
            .where(borrowers.c.borrower_id == _b, scope.bound_copy().visible(borrowers.c.borrower_id))
        )
        _PROFILES[scope.shape] = found
    return found


def _profile(row: Any) -> Profile:
    """The profile from its row (read only when the user may read the account: the scope check is part of the
    query)."""
    return Profile(
        row.borrower_id,
        row.name,
        row.region,
        _split(row.timezones),
        row.language,
        bool(row.is_minor),
        _split(row.vulnerability),
        row.national_id_masked,
        row.agent_id,
        row.agent_name,
        row.team_id,
    )


def _loans(details: _Details) -> list[LoanView]:
    loan_rows = details.loans
    if not loan_rows:
        return []
    sched, pays, spells = details.schedule, details.payments, details.spells
    dpd = {lid: snaps[:DPD_HISTORY_SHOWN] for lid, snaps in details.snapshots.items()}
    out: list[LoanView] = []
    for ln in loan_rows:
        lid = ln.loan_id
        history = dpd.get(lid, [])
        latest = history[0] if history else None
        out.append(
            LoanView(
                loan_id=lid,
                lender=ln.lender,
                lender_type=ln.lender_type,
                licence=ln.licence,
                product=ln.product,
                currency=ln.currency,
                principal_minor=ln.principal_minor,
                apr_all_in_bp=ln.apr_all_in_bp,
                contract_date=ln.contract_date,
                as_of=latest.as_of if latest else None,
                dpd=latest.dpd if latest else None,
                bucket=latest.bucket if latest else None,
                overdue_principal_minor=int(latest.overdue_principal_minor) if latest else 0,
                overdue_interest_minor=int(latest.overdue_interest_minor) if latest else 0,
                overdue_penalty_minor=int(latest.overdue_penalty_minor) if latest else 0,
                non_demandable_minor=int(latest.non_demandable_minor) if latest else 0,
                rate_flags=_split(latest.rate_flags) if latest else [],
                score=float(ln.score) if ln.score is not None else None,
                score_as_of=ln.score_as_of,
                model_version=ln.model_version,
                paid_minor=sum(pm.amount_minor for pm in pays.get(lid, [])),
                instalments=sched.get(lid, []),
                payments=pays.get(lid, []),
                dpd_history=[DpdPoint(d.as_of, d.dpd, d.bucket) for d in history],
                bucket_history=spells.get(lid, []),
            )
        )
    return out


def _contacts(
    rows: Sequence[Any], borrower_id: str, borrower_name: str
) -> tuple[list[PartyView], dict[str, str], dict[str, str]]:
    """Parties (the borrower first) with their masked contact points, from the rows of `_Q_POINTS_AND_PARTIES`;
    also id -> masked value, id -> role."""
    points: dict[str, list[ContactPointView]] = defaultdict(list)
    masked: dict[str, str] = {}
    third: list[Any] = []
    for r in rows:
        if r.what == "party":
            third.append(r)
            continue
        m = mask_contact(r.b, r.c)
        masked[r.id] = m
        points[r.a].append(ContactPointView(r.id, r.b, m, r.d, bool(r.f1), bool(r.f2)))
    roles = {borrower_id: "debtor"}
    out = [
        PartyView(borrower_id, "debtor", borrower_name, None, False, False, True, points.get(borrower_id, []))
    ]
    for r in third:
        roles[r.id] = r.a
        out.append(PartyView(r.id, r.a, r.b, r.c, bool(r.f1), bool(r.f2), bool(r.f3), points.get(r.id, [])))
    return out, masked, roles


def _attempts(
    conn: Connection,
    rows: Sequence[Any],
    borrower_id: str,
    masked: dict[str, str],
    roles: dict[str, str],
    offset: int = 0,
) -> tuple[list[AttemptView], int]:
    """The attempts from the rows of `_Q_ATTEMPTS` (read at `offset`) and the total (counted apart only when the
    page is past the end)."""
    if rows:
        total = int(rows[0].total)
    elif offset:  # past the last page: count on its own
        total = int(
            conn.execute(
                select(func.count())
                .select_from(contact_attempts)
                .where(contact_attempts.c.borrower_id == borrower_id)
            ).scalar_one()
        )
    else:
        total = 0
    out = [
        AttemptView(
            r.attempt_id,
            r.at,
            r.loan_id,
            r.party_id,
            roles.get(r.party_id, "unknown"),
            masked.get(r.contact_point_id) if r.contact_point_id else None,
            r.channel,
            r.direction,
            r.outcome,
            r.collector_id,
            r.text,
        )
        for r in rows
    ]
    return out, total


def list_attempts(
    engine: Engine, *, scope: Scope, borrower_id: str, page: int = 1, size: int = 50
) -> tuple[list[AttemptView], int]:
    """Contact history of one account, newest first, paginated (masked contact points)."""
    page, size = max(1, page), max(1, min(size, 200))
    with engine.connect() as conn:
        b = {"b": borrower_id}
        offset = (page - 1) * size
        profile_rows, contact_rows, attempt_rows = direct.pipeline(
            conn,
            [
                (_profile_query(scope), {**b, **scope.params()}),
                (_Q_POINTS_AND_PARTIES, b),
                (_Q_ATTEMPTS, {"b": borrower_id, "limit": size, "offset": offset}),
            ],
        )
        if not profile_rows:
            raise NotVisible(borrower_id)
        prof = _profile(profile_rows[0])
        _, masked, roles = _contacts(contact_rows, borrower_id, prof.name)
        return _attempts(conn, attempt_rows, borrower_id, masked, roles, offset=offset)


def latest_run_id(conn: Connection, plan_date: date) -> int | None:
    """The newest succeeded plan run for the date."""
    rid = conn.execute(
        select(func.max(plan_runs.c.run_id)).where(
            plan_runs.c.plan_date == plan_date, plan_runs.c.status == "succeeded"
        )
    ).scalar()
    return int(rid) if rid is not None else None


def _today(rows: Sequence[Any], today: date, masked: dict[str, str]) -> Today:
    """Today's planned steps (or hold-back) from the rows of `_Q_TODAY`."""
    first = rows[0] if rows else None
    if first is None or first.run_id is None:
        return Today(today, None, [], None)
    steps = [
        PlannedStep(
            r.seq,
            r.channel,
            r.segment,
            r.treatment,
            r.step,
            r.strategy_variant,
            r.script,
            r.window_start,
            r.window_end,
            float(r.priority),
            int(r.expected_recovery_minor),
            r.score,
            bool(r.promise_due),
            r.agent_id,
            r.rank,
            _rules(r.rules_json),
            r.party_id,
            masked.get(r.contact_point_id) if r.contact_point_id else None,
            r.status,
        )
        for r in rows
        if r.seq is not None
    ]
    holdback = (
        Holdback(first.hb_reason, _rules(first.hb_rules), first.hb_detail)
        if first.hb_reason is not None
        else None
    )
    return Today(today, int(first.run_id), steps, holdback)


def _rules(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []
