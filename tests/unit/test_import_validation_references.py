"""Cross-row checks: keys unique, references resolve, contacts belong to the same borrower, party limit."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from arrears.portfolio.references import DuplicateKeys, KeyIndex, NoStoredKeys


def rows(*dicts: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    return [(i + 2, d) for i, d in enumerate(dicts)]


def index(limit: int = 5, stored: Any = None) -> KeyIndex:
    idx = KeyIndex(stored or NoStoredKeys(), max_third_party_contacts=limit)
    idx.count_third_parties([])
    _, errors = idx.check_rows(
        "borrowers", "borrowers.csv", rows({"borrower_id": "B1"}, {"borrower_id": "B2"})
    )
    assert errors == []
    idx.finish("borrowers")
    return idx


def test_loan_of_unknown_borrower_is_refused() -> None:
    idx = index()
    good, errors = idx.check_rows(
        "loans",
        "loans.csv",
        rows({"loan_id": "L1", "borrower_id": "B1"}, {"loan_id": "L2", "borrower_id": "B9"}),
    )
    assert [r["loan_id"] for _, r in good] == ["L1"]
    (e,) = errors
    assert (e.file, e.row, e.column, e.value) == ("loans.csv", 3, "borrower_id", "B9")
    assert "neither in borrowers.csv nor in the database" in e.reason


def test_reference_to_a_rejected_row_says_where_it_was_rejected() -> None:
    idx = index()
    idx.check_rows("loans", "loans.csv", rows({"loan_id": "L1", "borrower_id": "B9"}))
    idx.finish("loans")
    _, errors = idx.check_rows("instalments", "instalments.csv", rows({"loan_id": "L1", "seq": 1}))
    (e,) = errors
    assert "rejected (loans.csv:2)" in e.reason


def test_duplicate_loan_id_in_one_file_is_refused() -> None:
    idx = index()
    _, errors = idx.check_rows(
        "loans",
        "loans.csv",
        rows({"loan_id": "L1", "borrower_id": "B1"}, {"loan_id": "L1", "borrower_id": "B1"}),
    )
    assert [(e.row, e.column) for e in errors] == [(3, "loan_id")]


def test_contact_point_owner_must_be_a_party_of_the_same_borrower() -> None:
    idx = index()
    idx.check_rows("parties", "parties.csv", rows({"party_id": "Q1", "borrower_id": "B2", "role": "parent"}))
    idx.finish("parties")
    cp = {"contact_point_id": "C1", "borrower_id": "B1", "owner_id": "Q1"}
    _, errors = idx.check_rows("contact_points", "contact_points.csv", rows(cp))
    (e,) = errors
    assert e.column == "owner_id"
    assert "belongs to borrower 'B2', not to 'B1'" in e.reason


class Stored(NoStoredKeys):
    """A database that already holds borrower B7 with loan L7 and three third parties of B1."""

    def existing(self, table_name: str, keys: Collection[str]) -> set[str]:
        return {k for k in keys if table_name == "borrowers" and k == "B7"}

    def borrower_of(self, table_name: str, keys: Collection[str]) -> dict[str, str]:
        return {"L7": "B7"} if table_name == "loans" and "L7" in keys else {}

    def third_parties_of(self, borrower_ids: Collection[str]) -> dict[str, set[str]]:
        return {"B1": {"Q1", "Q8", "Q9"}} if "B1" in borrower_ids else {}


def test_references_resolve_against_the_database() -> None:
    idx = index(stored=Stored())
    good, errors = idx.check_rows("loans", "loans.csv", rows({"loan_id": "L8", "borrower_id": "B7"}))
    assert errors == [] and len(good) == 1
    idx.finish("loans")
    good, errors = idx.check_rows("payments", "payments.csv", rows({"loan_id": "L7"}, {"loan_id": "L8"}))
    assert errors == [] and len(good) == 2


def test_borrower_over_the_third_party_limit_is_refused_with_its_parties() -> None:
    # 3 parents/friends in the file + 2 more stored (Q8, Q9; Q1 is in both) = 5 third parties; limit 4.
    # The guarantor does not count.
    parties = [
        ("Q1", "B1", "parent"),
        ("Q2", "B1", "friend"),
        ("Q3", "B1", "colleague"),
        ("Q4", "B1", "guarantor"),
        ("Q5", "B2", "friend"),
    ]
    idx = KeyIndex(Stored(), max_third_party_contacts=4)
    idx.count_third_parties(parties)
    assert idx.over_limit == {"B1": 5}
    good, errors = idx.check_rows(
        "borrowers", "borrowers.csv", rows({"borrower_id": "B1"}, {"borrower_id": "B2"})
    )
    assert [r["borrower_id"] for _, r in good] == ["B2"]
    (e,) = errors
    assert (e.row, e.column) == (2, "borrower_id")
    assert "5 third-party contacts" in e.reason and "limit of 4" in e.reason
    idx.finish("borrowers")
    good, errors = idx.check_rows(
        "parties", "parties.csv", rows(*({"party_id": p, "borrower_id": b, "role": r} for p, b, r in parties))
    )
    assert [r["party_id"] for _, r in good] == ["Q5"]
    assert len(errors) == 4


def test_borrower_at_the_limit_is_accepted() -> None:
    idx = KeyIndex(NoStoredKeys(), max_third_party_contacts=2)
    idx.count_third_parties([("Q1", "B1", "parent"), ("Q2", "B1", "friend")])
    assert idx.over_limit == {}


def test_duplicate_composite_keys_are_confirmed_not_guessed() -> None:
    d = DuplicateKeys()
    keys = [("L1", 1), ("L1", 2), ("L2", 1), ("L1", 2)]
    for k in keys:
        d.add(k)
    candidates = d.candidates()
    errors = DuplicateKeys.confirm(
        "instalments.csv", ("loan_id", "seq"), [(i + 2, k) for i, k in enumerate(keys)], candidates
    )
    assert [(e.row, e.value) for e in errors] == [(5, "L1, 2")]
    assert "first at row 3" in errors[0].reason


def test_a_duplicate_does_not_take_the_first_row_down_with_it() -> None:
    idx = index()
    loans = rows({"loan_id": "L1", "borrower_id": "B1"}, {"loan_id": "L1", "borrower_id": "B2"})
    good, errors = idx.check_rows("loans", "loans.csv", loans)
    assert [r["borrower_id"] for _, r in good] == ["B1"] and len(errors) == 1
    idx.finish("loans")
    good, errors = idx.check_rows("instalments", "instalments.csv", rows({"loan_id": "L1", "seq": 1}))
    assert errors == [] and len(good) == 1
