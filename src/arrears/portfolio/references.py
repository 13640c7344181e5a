"""Checks across rows and files: natural keys are unique, references resolve (in the file set or the
database), contacts belong to the same borrower, and no borrower names too many third parties.

Tables are checked in `schema.TABLES` order, so a referenced table is complete before it is used. Keys the
files do not hold are looked up through `StoredKeys` (implemented by storage; no database here). The roster:
agent ids are unique, a team keeps one name across the file, and an assignment names a known borrower and agent.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from arrears.portfolio.errors import RowError

# Roles that are obligors, not third parties (CN-PARTY-1): they do not count toward the contact limit.
OBLIGOR_ROLES = frozenset({"debtor", "guarantor", "co_obligor"})
DUPLICATE = "重复的键 / duplicate key"
_OWNED = ("loans", "parties", "contact_points")  # tables whose rows belong to one borrower


class StoredKeys(Protocol):
    def existing(self, table_name: str, keys: Collection[str]) -> set[str]: ...

    def borrower_of(self, table_name: str, keys: Collection[str]) -> dict[str, str]: ...

    def third_parties_of(self, borrower_ids: Collection[str]) -> dict[str, set[str]]: ...


class NoStoredKeys:
    """An empty database."""

    def existing(self, table_name: str, keys: Collection[str]) -> set[str]:
        return set()

    def borrower_of(self, table_name: str, keys: Collection[str]) -> dict[str, str]:
        return {}

    def third_parties_of(self, borrower_ids: Collection[str]) -> dict[str, set[str]]:
        return {}


def _file(table: str) -> str:
    return f"{table}.csv"


class KeyIndex:
    """What the import knows about keys so far. Holds ids only, so a million accounts fit comfortably."""

    def __init__(self, stored: StoredKeys, *, max_third_party_contacts: int) -> None:
        self.stored = stored
        self.limit = max_third_party_contacts
        # borrower_id -> the same string: owner maps point at this one object, which saves ~60 bytes a row.
        self.borrowers: dict[str, str] = {}
        self.owner: dict[str, dict[str, str]] = {t: {} for t in _OWNED}  # table -> id -> borrower_id
        self.rejected: dict[str, dict[str, str]] = {t: {} for t in ("borrowers", *_OWNED)}  # id -> "file:row"
        self.over_limit: dict[str, int] = {}
        self.file_names: dict[str, str] = {}
        self._done: set[str] = set()  # tables whose file has been fully read
        # the roster: agent ids known (file or database), and each team's name with the row that first gave it
        self.agents: set[str] = set()
        self.team_names: dict[str, tuple[str, int]] = {}
        self.rejected["agents"] = {}

    # --- the party limit (a pre-pass over parties) ------------------------------------------------------
    def count_third_parties(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """rows: (party_id, borrower_id, role) from the parties file, before anything else is checked."""
        counts: Counter[str] = Counter()
        ids: set[str] = set()
        for party_id, borrower_id, role in rows:
            if role not in OBLIGOR_ROLES and party_id not in ids:
                ids.add(party_id)
                counts[borrower_id] += 1
        borrowers = list(counts)
        for i in range(0, len(borrowers), 5000):
            stored = self.stored.third_parties_of(borrowers[i : i + 5000])
            for b, party_ids in stored.items():
                counts[b] += len(party_ids - ids)
        self.over_limit = {b: n for b, n in counts.items() if n > self.limit}

    def over_limit_reason(self, borrower_id: str) -> str:
        n = self.over_limit[borrower_id]
        return (
            f"借款人登记的第三方联系人为 {n} 个，超过上限 {self.limit} 个，拒绝导入 / borrower has {n} third-party "
            f"contacts (parties other than guarantors and co-obligors), more than the limit of {self.limit} "
            "(setting max_third_party_contacts, option --max-third-party-contacts)"
        )

    # --- per-table checks ---------------------------------------------------------------------------------
    def check(
        self, table: str, file: str, row_numbers: Sequence[int], cols: Mapping[str, Sequence[Any]]
    ) -> tuple[list[int], list[RowError]]:
        """Check one batch of cell-valid rows, given column-wise (`REFERENCE_COLUMNS[table]`).

        Returns the positions (into `row_numbers`) of the rows that pass, and the errors.
        """
        self.file_names[table] = file
        self._prefetch(table, cols)
        if table in ("instalments", "payments"):  # the big tables: one membership test per row
            loans = self.owner["loans"]
            loan_ids = cols["loan_id"]
            misses = [j for j, loan in enumerate(loan_ids) if loan not in loans]
            errors = [
                RowError(
                    file,
                    row_numbers[j],
                    "loan_id",
                    loan_ids[j],
                    self._missing("loans", "loan_id", loan_ids[j])[1],
                )
                for j in misses
            ]
            if not misses:
                return list(range(len(row_numbers))), errors
            bad = set(misses)
            return [j for j in range(len(row_numbers)) if j not in bad], errors
        names = list(cols)
        good: list[int] = []
        errors = []
        for j, values in enumerate(zip(*(cols[n] for n in names), strict=True)):
            row = dict(zip(names, values, strict=True))
            problem = (
                self._check_agent(row, row_numbers[j]) if table == "agents" else self._check_row(table, row)
            )
            if problem is None:
                good.append(j)
                self._remember(table, row)
            else:
                column, reason = problem
                errors.append(RowError(file, row_numbers[j], column, str(row.get(column) or ""), reason))
                if not reason.startswith(DUPLICATE):  # the first row with this key stays good
                    self.reject(table, row, f"{file}:{row_numbers[j]}")
        return good, errors

    def check_rows(
        self, table: str, file: str, rows: list[tuple[int, dict[str, Any]]]
    ) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
        """`check` for rows given as (row number, dict): convenient in tests."""
        names = list(REFERENCE_COLUMNS[table])
        cols = {n: [r.get(n) for _, r in rows] for n in names}
        good, errors = self.check(table, file, [n for n, _ in rows], cols)
        return [rows[j] for j in good], errors

    def finish(self, table: str) -> None:
        self._done.add(table)

    def reject(self, table: str, row: dict[str, Any], where: str) -> None:
        key_col = _KEY.get(table)
        if key_col and row.get(key_col) is not None:
            self.rejected[table][row[key_col]] = where
            if table == "agents":
                self.agents.discard(row[key_col])
            elif table in self.owner:
                self.owner[table].pop(row[key_col], None)
            elif table == "borrowers":
                self.borrowers.pop(row[key_col], None)

    def _remember(self, table: str, row: dict[str, Any]) -> None:
        if table == "agents":
            self.agents.add(row["agent_id"])
        elif table == "borrowers":
            b = row["borrower_id"]
            self.borrowers[b] = b
        elif table in self.owner:
            b = row["borrower_id"]
            self.owner[table][row[_KEY[table]]] = self.borrowers.get(b, b)

    def _prefetch(self, table: str, cols: Mapping[str, Sequence[Any]]) -> None:
        """Look up in the database, once per batch, the referenced keys the files do not hold."""
        wanted: dict[str, set[str]] = {}
        borrowers = cols.get("borrower_id")
        if table != "borrowers" and borrowers is not None:
            wanted["borrowers"] = set(borrowers)
        if table != "loans" and "loan_id" in cols:
            wanted["loans"] = set(cols["loan_id"])
        if table == "contact_points":
            wanted["parties"] = set(cols["owner_id"])
        if table == "contact_attempts":
            wanted["parties"] = set(cols["party_id"])
            wanted["contact_points"] = set(cols["contact_point_id"])
        if table == "assignments":
            agents = set(cols["agent_id"]) - self.agents - self.rejected["agents"].keys()
            agents.discard(None)
            if agents:
                self.agents.update(self.stored.existing("agents", agents))
        for t, keys in wanted.items():
            keys.discard(None)
            known = self.borrowers.keys() if t == "borrowers" else self.owner[t].keys()
            missing = keys - known - self.rejected[t].keys()
            if t == "parties" and borrowers is not None:
                missing -= set(borrowers)  # a borrower's own id is not a party id
            if not missing:
                continue
            if t == "borrowers":
                self.borrowers.update((b, b) for b in self.stored.existing("borrowers", missing))
            else:
                self.owner[t].update(self.stored.borrower_of(t, missing))

    def _unknown(self, table: str, key: str) -> bool:
        if table == "borrowers":
            return key not in self.borrowers and key not in self.rejected["borrowers"]
        return key not in self.owner[table] and key not in self.rejected[table]

    def _missing(self, table: str, column: str, key: str) -> tuple[str, str]:
        where = self.rejected[table].get(key)
        if where is not None:
            return column, f"引用的记录已被拒绝 / refers to {table} '{key}', which was rejected ({where})"
        return column, (
            f"引用不存在 / refers to {table} '{key}', which is neither in {self.file_names.get(table, _file(table))} "
            "nor in the database"
        )

    def _borrower_ok(self, row: dict[str, Any]) -> tuple[str, str] | None:
        b = row["borrower_id"]
        if b not in self.borrowers:
            return self._missing("borrowers", "borrower_id", b)
        return None

    def _belongs(self, table: str, column: str, key: str, borrower: str) -> tuple[str, str] | None:
        owner = self.owner[table].get(key)
        if owner is None:
            return self._missing(table, column, key)
        if owner != borrower:
            return column, (
                f"不属于同一借款人 / {table} '{key}' belongs to borrower '{owner}', not to '{borrower}'"
            )
        return None

    def _check_agent(self, row: dict[str, Any], row_no: int) -> tuple[str, str] | None:
        a = row["agent_id"]
        if a in self.agents and "agents" not in self._done:
            return "agent_id", f"{DUPLICATE}: this agent_id appears earlier in the file"
        team, name = row["team_id"], row.get("team_name")
        if name is not None:
            first = self.team_names.get(team)
            if first is None:
                self.team_names[team] = (name, row_no)
            elif first[0] != name:
                return "team_name", (
                    f"同一团队名称不一致 / team '{team}' is named '{first[0]}' at row {first[1]}; "
                    "every row of a team must give the same team_name"
                )
        return None

    def _check_row(self, table: str, row: dict[str, Any]) -> tuple[str, str] | None:
        if table == "assignments":
            problem = self._borrower_ok(row)
            if problem:
                return problem
            if row["agent_id"] not in self.agents:
                return self._missing("agents", "agent_id", row["agent_id"])
            return None
        if table == "borrowers":
            b = row["borrower_id"]
            if b in self.borrowers:
                return "borrower_id", f"{DUPLICATE}: this borrower_id appears earlier in the file"
            if b in self.over_limit:
                return "borrower_id", self.over_limit_reason(b)
            return None
        if table in self.owner and row[_KEY[table]] in self.owner[table] and table not in self._done:
            return _KEY[table], f"{DUPLICATE}: this {_KEY[table]} appears earlier in the file"
        if table in ("instalments", "payments"):
            if row["loan_id"] not in self.owner["loans"]:
                return self._missing("loans", "loan_id", row["loan_id"])
            return None
        problem = self._borrower_ok(row)
        if problem:
            return problem
        b = row["borrower_id"]
        if table == "parties":
            if b in self.over_limit:
                return "borrower_id", self.over_limit_reason(b)
            return None
        if table == "contact_points":
            if row["owner_id"] != b:
                return self._belongs("parties", "owner_id", row["owner_id"], b)
            return None
        if table == "loans":
            return None
        if row.get("loan_id") is not None:  # contact_attempts, holds
            problem = self._belongs("loans", "loan_id", row["loan_id"], b)
            if problem:
                return problem
        if table == "contact_attempts":
            if row["party_id"] != b:
                problem = self._belongs("parties", "party_id", row["party_id"], b)
                if problem:
                    return problem
            if row["contact_point_id"] is not None:
                return self._belongs("contact_points", "contact_point_id", row["contact_point_id"], b)
        return None


# The columns the cross-row checks read (keys and references); the rest stay in Arrow.
REFERENCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "borrowers": ("borrower_id",),
    "loans": ("loan_id", "borrower_id"),
    "instalments": ("loan_id", "seq"),
    "payments": ("payment_id", "loan_id"),
    "parties": ("party_id", "borrower_id", "role"),
    "contact_points": ("contact_point_id", "borrower_id", "owner_id"),
    "contact_attempts": ("attempt_id", "borrower_id", "loan_id", "party_id", "contact_point_id"),
    "holds": ("hold_id", "borrower_id", "loan_id"),
    "agents": ("agent_id", "team_id", "team_name"),
    "assignments": ("borrower_id", "agent_id"),
}

_KEY = {
    "agents": "agent_id",
    "borrowers": "borrower_id",
    "loans": "loan_id",
    "parties": "party_id",
    "contact_points": "contact_point_id",
}


class DuplicateKeys:
    """Duplicate detection for big tables (instalments, payments, attempts, holds) in 8 bytes a row.

    Stores a 64-bit hash of each key; hashes seen twice are candidates, confirmed by the caller re-reading the
    key columns (`confirm`), so a hash collision never rejects a row.
    """

    def __init__(self) -> None:
        self._hashes = array("q")

    def add(self, key: tuple[Any, ...]) -> None:
        self._hashes.append(hash(key))

    def extend(self, keys: Iterable[tuple[Any, ...]]) -> None:
        self._hashes.extend(map(hash, keys))

    def candidates(self) -> set[int]:
        if len(self._hashes) < 2:
            return set()
        h = np.frombuffer(self._hashes, dtype=np.int64)
        s = np.sort(h)
        dup = s[1:][s[1:] == s[:-1]]
        return set(np.unique(dup).tolist())

    @staticmethod
    def confirm(
        file: str,
        key_columns: tuple[str, ...],
        rows: Iterable[tuple[int, tuple[Any, ...]]],
        candidates: set[int],
    ) -> list[RowError]:
        """rows: (row number, key) in file order. Every occurrence after the first is an error."""
        first: dict[tuple[Any, ...], int] = {}
        errors: list[RowError] = []
        for row_no, key in rows:
            if hash(key) not in candidates:
                continue
            if key in first:
                errors.append(
                    RowError(
                        file,
                        row_no,
                        key_columns[0],
                        ", ".join(str(k) for k in key),
                        f"{DUPLICATE} ({', '.join(key_columns)}); first at row {first[key]}",
                    )
                )
            else:
                first[key] = row_no
        return errors
