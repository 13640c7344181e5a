"""The worklist remembers its rows' names and masked numbers for a while (services/worklist.py `_Labels`), and
stays right: the scope check, the order and the total are read afresh on every load, so an account reassigned
away leaves the list at once; a name or number changed meanwhile shows once the remembered ones expire, and
the customer view shows it at once."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select, update
from webkit import TODAY, Portfolio, login, seed_portfolio

from arrears.services import worklist
from arrears.services.access import scope_for
from arrears.services.auth import get_user
from arrears.storage.engine import make_engine
from arrears.storage.migrate import upgrade
from arrears.storage.tables import borrowers, contact_points
from arrears.storage.tables_plan import assignments, plan_contacts, plan_runs

pytestmark = pytest.mark.db


def _rows(html: str) -> list[str]:
    """The worklist's account ids, in the order shown."""
    return re.findall(r'href="/accounts/([^"]+)"', html)


def test_remembered_names_never_keep_a_reassigned_account_and_expire(
    client: TestClient, engine: Engine, portfolio: Portfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, "agent1")
    first = client.get("/worklist")
    assert first.status_code == 200
    shown = _rows(first.text)
    assert set(portfolio.own) <= set(shown)
    b1, b3 = "B001", "B003"
    assert "客户B001" in first.text and "138****0001" in first.text

    with engine.begin() as conn:
        conn.execute(update(borrowers).where(borrowers.c.borrower_id == b1).values(name="新名字"))
        conn.execute(
            update(contact_points)
            .where(contact_points.c.contact_point_id == f"CP-{b1}")
            .values(value="13900000000")
        )
        conn.execute(update(assignments).where(assignments.c.borrower_id == b3).values(agent_id="agent2"))

    second = client.get("/worklist")
    assert second.status_code == 200
    # the scope is checked on every load: the reassigned account is gone, the others keep their order
    assert _rows(second.text) == [b for b in shown if b != b3]
    # the remembered name and number, until they expire
    assert "客户B001" in second.text and "138****0001" in second.text and "新名字" not in second.text
    # the customer view reads them live
    view = client.get(f"/accounts/{b1}")
    assert view.status_code == 200 and "新名字" in view.text and "139****0000" in view.text

    monkeypatch.setattr(worklist.labels_of(engine), "TTL_S", -1.0)  # everything remembered has expired
    third = client.get("/worklist")
    assert _rows(third.text) == [b for b in shown if b != b3]
    assert "新名字" in third.text and "139****0000" in third.text and "客户B001" not in third.text


def test_a_new_plan_run_is_labelled_from_its_own_rows(
    client: TestClient, engine: Engine, portfolio: Portfolio
) -> None:
    """Names are remembered per plan run: the rows of a newer run are joined afresh."""
    login(client, "agent1")
    before = client.get("/worklist").text
    assert "客户B002" in before
    with engine.begin() as conn:
        conn.execute(update(borrowers).where(borrowers.c.borrower_id == "B002").values(name="次日名字"))
        run = dict(conn.execute(select(plan_runs).where(plan_runs.c.run_id == 1)).mappings().one())
        conn.execute(
            insert(plan_runs).values(
                {**run, "run_id": 2, "created_at": run["created_at"] + timedelta(hours=1)}
            )
        )
        rows = [
            dict(r) for r in conn.execute(select(plan_contacts).where(plan_contacts.c.run_id == 1)).mappings()
        ]
        conn.execute(insert(plan_contacts), [{**r, "run_id": 2} for r in rows])
    page = client.get("/worklist").text
    assert _rows(page) == _rows(before)
    assert "次日名字" in page and "客户B002" not in page


def test_two_databases_with_the_same_plan_show_their_own_names(
    engine: Engine, portfolio: Portfolio, tmp_path: Path
) -> None:
    """One process serving two databases (whose plan rows are identical) never shows one's names in the other."""
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    seed_portfolio(other)
    with other.begin() as conn:
        conn.execute(update(borrowers).where(borrowers.c.borrower_id == "B001").values(name="另一库的名字"))
    try:
        for eng, name, absent in ((engine, "客户B001", "另一库的名字"), (other, "另一库的名字", "客户B001")):
            for _ in range(2):  # the first load learns the names, the second reads them back
                user = get_user(eng, "agent1")
                assert user is not None
                wl = worklist.worklist(eng, scope=scope_for(user), plan_date=TODAY)
                names = {item.borrower_id: item.name for item in wl.items}
                assert names["B001"] == name and absent not in names.values()
    finally:
        other.dispose()
