"""The hot pages' session-5 shortcuts keep their promises: the pages' single dependency (`deps.Page`) still signs
in by cookie or bearer token, refuses the anonymous and hides other teams' accounts, and every customer view
still writes exactly one audit record; the loans read with the rest of the account's details come out as
before; Jinja's direct calls of the plain helpers render what Jinja's generic call path renders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import jinja2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select
from webkit import TODAY, MovableClock, Portfolio, login

from arrears.services import accounts
from arrears.services.access import scope_for
from arrears.services.auth import get_user
from arrears.storage import audit
from arrears.storage.tables import audit_log, instalments, loan_scores, loans
from arrears.web import templating
from arrears.web.i18n import translator

pytestmark = pytest.mark.db


def _views(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(audit_log.c.subject)
                .where(audit_log.c.action == "account.view")
                .order_by(audit_log.c.id)
            ).scalars()
        )


def test_a_customer_view_page_writes_one_audit_record_and_other_teams_accounts_are_not_found(
    client: TestClient, engine: Engine, portfolio: Portfolio
) -> None:
    login(client, "agent1")
    before = _views(engine)
    r = client.get(f"/accounts/{portfolio.own[0]}")
    assert r.status_code == 200 and portfolio.own[0] in r.text
    assert _views(engine) == [*before, f"borrower:{portfolio.own[0]}"]
    for hidden in (portfolio.other_team[0], portfolio.unassigned[0], "NO-SUCH-ID"):
        assert client.get(f"/accounts/{hidden}").status_code == 404
    assert _views(engine) == [*before, f"borrower:{portfolio.own[0]}"]  # nothing audited for a refusal
    with engine.connect() as conn:
        assert audit.verify(conn).ok


def test_the_pages_refuse_the_anonymous_and_accept_a_bearer_token(
    client: TestClient, portfolio: Portfolio, bearer: Callable[[str], dict[str, str]]
) -> None:
    headers = bearer("agent1")
    client.cookies.clear()
    assert client.get("/worklist", follow_redirects=False).status_code in (303, 401)
    assert client.get(f"/accounts/{portfolio.own[0]}", follow_redirects=False).status_code in (303, 401)
    assert client.get("/worklist", headers=headers).status_code == 200
    assert client.get(f"/accounts/{portfolio.own[0]}", headers=headers).status_code == 200
    assert client.get(f"/accounts/{portfolio.other_team[0]}", headers=headers).status_code == 404
    bad = {"Authorization": "Bearer not-a-token"}
    assert client.get("/worklist", headers=bad, follow_redirects=False).status_code in (303, 401)
    spec = client.get("/openapi.json").json()["paths"]
    for path in ("/worklist", "/accounts/{borrower_id}"):  # the pages still declare their security
        assert spec[path]["get"]["security"] == [{"OAuth2PasswordBearer": []}]


def test_loans_read_with_the_details_keep_their_order_score_and_schedule(
    engine: Engine, portfolio: Portfolio, clock: MovableClock
) -> None:
    bid = portfolio.own[0]
    with engine.begin() as conn:
        conn.execute(
            insert(loans).values(
                loan_id=f"A-{bid}",  # sorts before L-... by id, and its contract is older: first either way
                borrower_id=bid,
                lender="另一家银行",
                lender_type="bank",
                licence="LIC-2",
                product="信用卡",
                currency="CNY",
                principal_minor=50_000,
                apr_all_in_bp=1500,
                contract_date=date(2024, 1, 15),
            )
        )
        conn.execute(
            insert(instalments).values(
                loan_id=f"A-{bid}",
                seq=1,
                due_date=date(2024, 2, 15),
                principal_minor=50_000,
                interest_minor=625,
                fee_minor=100,
            )
        )
        conn.execute(
            insert(loan_scores).values(loan_id=f"A-{bid}", as_of=TODAY, score=0.125, model_version="m-test")
        )
    user = get_user(engine, "agent1")
    assert user is not None
    view = accounts.customer_view(
        engine, user=user, scope=scope_for(user), borrower_id=bid, clock=clock, timezone="Asia/Shanghai"
    )
    first, second = view.loans
    assert (first.loan_id, second.loan_id) == (f"A-{bid}", f"L-{bid}")
    assert (first.lender, first.lender_type, first.licence, first.product, first.currency) == (
        "另一家银行",
        "bank",
        "LIC-2",
        "信用卡",
        "CNY",
    )
    assert (first.principal_minor, first.apr_all_in_bp, first.contract_date) == (
        50_000,
        1500,
        date(2024, 1, 15),
    )
    assert (first.score, first.score_as_of, first.model_version) == (0.125, TODAY, "m-test")
    assert [(i.seq, i.total_minor) for i in first.instalments] == [(1, 50_725)]
    assert first.payments == [] and first.dpd is None and first.paid_minor == 0
    assert len(second.instalments) == 3 and second.paid_minor == 418_000 and second.score == 0.42
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar_one() >= 1


@jinja2.pass_context
def _with_context(ctx: jinja2.runtime.Context, n: int) -> str:
    return f"{ctx.get('who')}:{n}"


def test_direct_helper_calls_render_what_jinja_s_generic_calls_render() -> None:
    source = (
        "{% for x in xs %}{{ money(x) }}|{{ money(x, 'USD') }}|{{ d(day) }}|{{ t('worklist.count', n=x) }}"
        "|{{ t('nav.logout') }}|{{ ctxfn(x) }}{% if loop.last %}.{% endif %}\n{% endfor %}"
        "{% set y %}{{ money(-1234567) }}{{ d(none) }}{% endset %}{{ y }}|{{ dt(None) }}|{{ esc('<b>&') }}"
        "{% macro m(v) %}[{{ money(v) }}]{% endmacro %}{{ m(7) }}"
    )
    context = {
        "xs": [0, 5, 123456],
        "day": TODAY,
        "money": templating.money,
        "d": templating.d,
        "dt": templating._dt_in("Asia/Shanghai"),
        "t": translator("en"),
        "ctxfn": _with_context,
        "who": "me",
        "esc": lambda s: s,  # not a registered helper: the generic path, escaped as usual
    }
    plain = jinja2.Environment(autoescape=True)
    fast = jinja2.Environment(autoescape=True)
    fast.context_class = templating._Context
    expected = plain.from_string(source).render(context)
    assert fast.from_string(source).render(context) == expected
    assert (
        "¥1,234.56" in expected and "$1,234.56" in expected and "me:5" in expected and "&lt;b&gt;" in expected
    )


def test_amounts_render_formatted_and_escaped_however_often_they_recur() -> None:
    env = jinja2.Environment(autoescape=True)
    env.context_class = templating._Context
    page = env.from_string(
        "{% for x in xs %}{{ money(x) }} {{ money(x, cur) }};{% endfor %}{{ money(none) }}"
    ).render({"xs": [123456, 123456, -5, 0], "cur": "<b>", "money": templating.money})
    assert page == (
        "¥1,234.56 &lt;b&gt; 1,234.56;¥1,234.56 &lt;b&gt; 1,234.56;-¥0.05 -&lt;b&gt; 0.05;¥0.00 &lt;b&gt; 0.00;—"
    )
