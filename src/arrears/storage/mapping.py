"""Domain dataclass <-> table row, for the portfolio tables. Lists are stored as ';'-joined text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from arrears.domain import (
    Borrower,
    Channel,
    ContactAttempt,
    ContactPoint,
    ContactPointKind,
    Direction,
    Hold,
    HoldKind,
    Instalment,
    LenderType,
    Loan,
    Outcome,
    Party,
    Payment,
    Role,
    Source,
)

Row = Mapping[Any, Any]  # a dict or a SQLAlchemy RowMapping


def join_list(values: tuple[str, ...] | list[str]) -> str:
    return ";".join(values)


def split_list(text: str | None) -> tuple[str, ...]:
    return tuple(v for v in (text or "").split(";") if v)


def borrower_to_row(b: Borrower) -> dict[str, Any]:
    return {
        "borrower_id": b.id,
        "name": b.name,
        "region": b.region,
        "timezones": join_list(b.timezones),
        "language": b.language,
        "is_minor": b.is_minor,
        "vulnerability": join_list(b.vulnerability),
        "national_id_masked": b.national_id_masked,
    }


def borrower_from_row(r: Row) -> Borrower:
    return Borrower(
        id=r["borrower_id"],
        name=r["name"],
        region=r["region"],
        timezones=split_list(r["timezones"]),
        language=r["language"],
        is_minor=bool(r["is_minor"]),
        vulnerability=split_list(r["vulnerability"]),
        national_id_masked=r["national_id_masked"],
    )


def loan_to_row(x: Loan) -> dict[str, Any]:
    return {
        "loan_id": x.id,
        "borrower_id": x.borrower_id,
        "lender": x.lender,
        "lender_type": x.lender_type.value,
        "licence": x.licence,
        "product": x.product,
        "currency": x.currency,
        "principal_minor": x.principal_minor,
        "apr_all_in_bp": x.apr_all_in_bp,
        "contract_date": x.contract_date,
    }


def loan_from_row(r: Row) -> Loan:
    return Loan(
        id=r["loan_id"],
        borrower_id=r["borrower_id"],
        lender=r["lender"],
        lender_type=LenderType(r["lender_type"]),
        licence=r["licence"],
        product=r["product"],
        currency=r["currency"],
        principal_minor=int(r["principal_minor"]),
        apr_all_in_bp=int(r["apr_all_in_bp"]),
        contract_date=r["contract_date"],
    )


def instalment_to_row(x: Instalment) -> dict[str, Any]:
    return {
        "loan_id": x.loan_id,
        "seq": x.seq,
        "due_date": x.due_date,
        "principal_minor": x.principal_minor,
        "interest_minor": x.interest_minor,
        "fee_minor": x.fee_minor,
    }


def instalment_from_row(r: Row) -> Instalment:
    return Instalment(
        loan_id=r["loan_id"],
        seq=int(r["seq"]),
        due_date=r["due_date"],
        principal_minor=int(r["principal_minor"]),
        interest_minor=int(r["interest_minor"]),
        fee_minor=int(r["fee_minor"]),
    )


def payment_to_row(x: Payment) -> dict[str, Any]:
    return {
        "payment_id": x.id,
        "loan_id": x.loan_id,
        "paid_at": x.paid_at,
        "amount_minor": x.amount_minor,
        "channel": x.channel,
    }


def payment_from_row(r: Row) -> Payment:
    return Payment(
        id=r["payment_id"],
        loan_id=r["loan_id"],
        paid_at=r["paid_at"],
        amount_minor=int(r["amount_minor"]),
        channel=r["channel"] or "bank_transfer",
    )


def party_to_row(x: Party) -> dict[str, Any]:
    return {
        "party_id": x.id,
        "borrower_id": x.borrower_id,
        "role": x.role.value,
        "name": x.name,
        "relation": x.relation or None,
        "emergency_contact": x.emergency_contact,
        "refused_contact": x.refused_contact,
        "relationship_evidence": x.relationship_evidence,
    }


def party_from_row(r: Row) -> Party:
    return Party(
        id=r["party_id"],
        borrower_id=r["borrower_id"],
        role=Role(r["role"]),
        name=r["name"],
        relation=r["relation"] or "",
        emergency_contact=bool(r["emergency_contact"]),
        refused_contact=bool(r["refused_contact"]),
        relationship_evidence=bool(r["relationship_evidence"]),
    )


def contact_point_to_row(x: ContactPoint, *, borrower_id: str) -> dict[str, Any]:
    """The domain ContactPoint does not carry its borrower; the table does (it scopes owner_id)."""
    return {
        "contact_point_id": x.id,
        "borrower_id": borrower_id,
        "owner_id": x.owner_id,
        "kind": x.kind.value,
        "value": x.value,
        "source": x.source.value,
        "opted_out": x.opted_out,
        "employer_provided": x.employer_provided,
    }


def contact_point_from_row(r: Row) -> ContactPoint:
    return ContactPoint(
        id=r["contact_point_id"],
        owner_id=r["owner_id"],
        kind=ContactPointKind(r["kind"]),
        value=r["value"],
        source=Source(r["source"]),
        opted_out=bool(r["opted_out"]),
        employer_provided=bool(r["employer_provided"]),
    )


def attempt_to_row(x: ContactAttempt) -> dict[str, Any]:
    return {
        "attempt_id": x.id,
        "borrower_id": x.borrower_id,
        "loan_id": x.loan_id,
        "party_id": x.party_id,
        "contact_point_id": x.contact_point_id,
        "channel": x.channel.value,
        "direction": x.direction.value,
        "outcome": x.outcome.value,
        "at": x.at,
        "collector_id": x.collector_id,
        "agency_id": x.agency_id,
        "text": x.text,
    }


def attempt_from_row(r: Row) -> ContactAttempt:
    return ContactAttempt(
        id=r["attempt_id"],
        borrower_id=r["borrower_id"],
        loan_id=r["loan_id"],
        party_id=r["party_id"],
        contact_point_id=r["contact_point_id"],
        channel=Channel(r["channel"]),
        direction=Direction(r["direction"]),
        outcome=Outcome(r["outcome"]),
        at=r["at"],
        collector_id=r["collector_id"],
        agency_id=r["agency_id"],
        text=r["text"],
    )


def hold_to_row(x: Hold) -> dict[str, Any]:
    return {
        "hold_id": x.id,
        "borrower_id": x.borrower_id,
        "loan_id": x.loan_id,
        "kind": x.kind.value,
        "start": x.start,
        "end": x.end,
        "reason": x.reason,
    }


def hold_from_row(r: Row) -> Hold:
    return Hold(
        id=r["hold_id"],
        borrower_id=r["borrower_id"],
        kind=HoldKind(r["kind"]),
        start=r["start"],
        end=r["end"],
        reason=r["reason"],
        loan_id=r["loan_id"],
    )
