"""Decision log repository: append every compliance decision, iterate them for audit and replay.

Rows are immutable: there is no update or delete. A JSON Lines log (`JsonlDecisionLog`) has the same surface
for runs without a database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, insert, select

from arrears.storage.tables import decision_log


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    decided_at: datetime  # the instant the attempt was judged for (the request's `now`)
    input_hash: str  # sha256 of the canonical input JSON
    input_json: str
    pack: str
    pack_version: str
    decision: str
    rules: tuple[str, ...]
    reasons: tuple[str, ...]
    next_allowed_at: datetime | None
    source: str  # cli | api | planner | scenario
    id: int | None = None


class DecisionRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def append(self, rec: DecisionRecord) -> int:
        res = self.conn.execute(
            insert(decision_log).values(
                decided_at=rec.decided_at,
                input_hash=rec.input_hash,
                input_json=rec.input_json,
                pack=rec.pack,
                pack_version=rec.pack_version,
                decision=rec.decision,
                rules_json=json.dumps(list(rec.rules), ensure_ascii=False),
                reasons_json=json.dumps(list(rec.reasons), ensure_ascii=False),
                next_allowed_at=rec.next_allowed_at,
                source=rec.source,
            )
        )
        pk = res.inserted_primary_key
        return int(pk[0]) if pk else 0

    def iterate(self, *, pack: str | None = None, batch: int = 500) -> Iterator[DecisionRecord]:
        q = select(decision_log).order_by(decision_log.c.id)
        if pack is not None:
            q = q.where(decision_log.c.pack == pack)
        for row in self.conn.execute(q.execution_options(yield_per=batch)).mappings():
            yield DecisionRecord(
                id=row["id"],
                decided_at=row["decided_at"],
                input_hash=row["input_hash"],
                input_json=row["input_json"],
                pack=row["pack"],
                pack_version=row["pack_version"],
                decision=row["decision"],
                rules=tuple(json.loads(row["rules_json"])),
                reasons=tuple(json.loads(row["reasons_json"])),
                next_allowed_at=row["next_allowed_at"],
                source=row["source"],
            )


class JsonlDecisionLog:
    """The same log as a JSON Lines file (append-only)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def append(self, rec: DecisionRecord) -> int:
        d = asdict(rec)
        d["decided_at"] = rec.decided_at.isoformat()
        d["next_allowed_at"] = rec.next_allowed_at.isoformat() if rec.next_allowed_at else None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
        return 0

    def iterate(self, *, pack: str | None = None, batch: int = 500) -> Iterator[DecisionRecord]:
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    d = json.loads(line)
                    rec = DecisionRecord(
                        decided_at=datetime.fromisoformat(d["decided_at"]),
                        input_hash=d["input_hash"],
                        input_json=d["input_json"],
                        pack=d["pack"],
                        pack_version=d["pack_version"],
                        decision=d["decision"],
                        rules=tuple(d["rules"]),
                        reasons=tuple(d["reasons"]),
                        next_allowed_at=datetime.fromisoformat(d["next_allowed_at"]) if d.get("next_allowed_at") else None,
                        source=d["source"],
                        id=n,
                    )
                except (KeyError, ValueError, TypeError) as e:
                    raise ValueError(f"{self.path}: line {n}: not a decision record ({e})") from e
                if pack is None or rec.pack == pack:
                    yield rec
