"""`storage.direct.rows`: a Core statement run straight through the driver gives what `conn.execute(...).all()`
gives, values and types, on every dialect (PostgreSQL takes the direct path, SQLite SQLAlchemy's)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Engine,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    TypeDecorator,
    bindparam,
    exc,
    func,
    insert,
    literal,
    select,
    union_all,
)

from arrears.storage import direct
from arrears.storage.types import UTCDateTime

pytestmark = pytest.mark.db


class Shout(TypeDecorator[str]):
    """Upper-cases on the way in and marks values on the way out: proves both processors run."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return value.upper() if value is not None else None

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return f"<{value}>" if value is not None else None


md = MetaData()
things = Table(
    "direct_things",
    md,
    Column("id", Integer, primary_key=True),
    Column("name", String(20)),
    Column("loud", Shout(20)),
    Column("at", UTCDateTime()),
    Column("day", Date),
    Column("amount", Numeric(12, 2)),
    Column("flag", Boolean),
)


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    md.create_all(engine)
    shanghai = timezone(timedelta(hours=8))
    with engine.begin() as conn:
        conn.execute(
            insert(things),
            [
                {
                    "id": i,
                    "name": f"n{i}",
                    "loud": f"v{i}",
                    "at": datetime(2026, 3, 10, 9, i, tzinfo=shanghai),
                    "day": date(2026, 3, i + 1),
                    "amount": Decimal(f"{i}.25"),
                    "flag": i % 2 == 0,
                }
                for i in range(1, 6)
            ],
        )
    yield engine
    md.drop_all(engine)


def both(conn: Any, stmt: Any, params: dict[str, Any]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    ours = [tuple(r) for r in direct.rows(conn, stmt, params)]
    theirs = [tuple(r) for r in conn.execute(stmt, params).all()]
    return ours, theirs


def test_rows_match_sqlalchemy_values_and_types(db: Engine) -> None:
    stmt = (
        select(
            things.c.id,
            things.c.name,
            things.c.loud,
            things.c.at,
            things.c.day,
            things.c.amount,
            things.c.flag,
            literal("k").label("kind"),
            func.count().over().label("total"),
        )
        .where(things.c.id >= bindparam("lo"), things.c.loud != bindparam("not_loud", type_=Shout(20)))
        .order_by(things.c.id)
        .limit(bindparam("size"))
    )
    with db.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        for _ in range(3):  # the first run learns the result types; the later ones reuse the plan
            ours, theirs = both(conn, stmt, {"lo": 2, "not_loud": "v3", "size": 10})
            assert ours == theirs
            assert [type(v) for v in ours[0]] == [type(v) for v in theirs[0]]
        # the bind processor ran ("v3" became "V3" and matched), the result processor too
        assert [r[0] for r in ours] == [2, 4, 5]
        assert ours[0][2] == "<V2>"
        assert ours[0][3] == datetime(2026, 3, 10, 1, 2, tzinfo=UTC)  # 09:02 in Shanghai, in UTC
        assert ours[0][5] == Decimal("2.25") and ours[0][7] == "k" and ours[0][8] == 3
        row = direct.first(conn, stmt, {"lo": 5, "not_loud": "x", "size": 1})
        assert row is not None and (row.id, row.name, row.kind) == (5, "n5", "k")  # attribute access
        assert direct.first(conn, stmt, {"lo": 99, "not_loud": "x", "size": 1}) is None


def test_unions_expanding_lists_and_transactions(db: Engine) -> None:
    parts = [
        select(literal(tag).label("what"), things.c.id, things.c.amount).where(things.c.id == bindparam("b"))
        for tag in ("a", "b", "c")
    ]
    in_list = (
        select(things.c.id).where(things.c.id.in_(bindparam("ids", expanding=True))).order_by(things.c.id)
    )
    with db.connect() as conn:
        ours, theirs = both(conn, union_all(*parts), {"b": 3})
        assert sorted(ours) == sorted(theirs) and {r[0] for r in ours} == {"a", "b", "c"}
        assert both(conn, in_list, {"ids": [1, 4, 9]}) == ([(1,), (4,)], [(1,), (4,)])  # SQLAlchemy's path
        # inside the connection's transaction: sees its own uncommitted row; the rollback discards it
        conn.execute(insert(things).values(id=9, name="n9"))
        assert [r.id for r in direct.rows(conn, in_list, {"ids": [9]})] == [9]
        assert (
            direct.first(conn, select(things.c.name).where(things.c.id == bindparam("i")), {"i": 9}).name
            == "n9"
        )
        conn.rollback()
        assert (
            direct.first(conn, select(things.c.name).where(things.c.id == bindparam("i")), {"i": 9}) is None
        )


def test_errors_are_sqlalchemy_errors_and_the_connection_recovers(db: Engine) -> None:
    bad = select((things.c.id / bindparam("zero", type_=Integer)).label("q"))
    with db.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        if conn.dialect.name == "postgresql":
            with pytest.raises(exc.DBAPIError) as caught:
                direct.rows(conn, bad, {"zero": 0})
            assert "division by zero" in str(caught.value)
        with pytest.raises(exc.StatementError, match="need"):  # a missing parameter, named
            direct.rows(conn, select(things.c.id).where(things.c.id == bindparam("need")), {})
        assert [r.id for r in direct.rows(conn, select(things.c.id).order_by(things.c.id))] == [1, 2, 3, 4, 5]


def test_a_pipeline_gives_each_statement_its_rows_in_order(db: Engine) -> None:
    by_id = select(things.c.name, things.c.loud).where(things.c.id == bindparam("i"))
    total = select(func.count().label("n"), func.sum(things.c.amount).label("s")).where(
        things.c.flag == bindparam("f")
    )
    calls: list[tuple[Any, dict[str, Any] | None]] = [
        (by_id, {"i": 2}),
        (total, {"f": True}),
        (by_id, {"i": 42}),
    ]
    with db.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        for _ in range(2):
            got = direct.pipeline(conn, calls)
            assert [[tuple(r) for r in rs] for rs in got] == [
                [tuple(r) for r in conn.execute(stmt, params).all()] for stmt, params in calls
            ]
        assert (
            got[0][0].loud == "<V2>" and got[1][0].n == 2 and got[1][0].s == Decimal("6.50") and got[2] == []
        )
        bad = select((things.c.id / bindparam("zero", type_=Integer)).label("q"))
        if conn.dialect.name == "postgresql":
            with pytest.raises(exc.DBAPIError, match="division by zero"):
                direct.pipeline(conn, [(by_id, {"i": 1}), (bad, {"zero": 0}), (by_id, {"i": 3})])
        assert [r.name for r in direct.pipeline(conn, [(by_id, {"i": 3})])[0]] == ["n3"]  # still usable
