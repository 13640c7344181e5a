"""The agent's path in a real browser (Chromium, headless) against the live app on a demo database:
sign in, open the top of the worklist and read the customer view, log a promise to pay, send a compliant SMS
(it reaches the outbox and the SMS provider), and try an abusive SMS (blocked with its rule ids, nothing queued).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select
from support import Site, first_worklist_account, login

from arrears.storage.tables import borrowers, contact_points, loans
from arrears.storage.tables_work import outbox, promises

pytestmark = pytest.mark.e2e

ABUSIVE = "不还钱就爆你通讯录"
MASKED_MOBILE = re.compile(r"1\d\d\*{4}\d{4}")


def open_first_account(page: Page, *, sign_in: bool = True) -> str:
    if sign_in:
        login(page, "agent1")
    expect(page.locator("h1")).to_have_text("今日工作清单")
    borrower_id = first_worklist_account(page)
    page.locator("table.worklist tbody tr").first.get_by_role("link").click()
    page.wait_for_url(f"**/accounts/{borrower_id}")
    return borrower_id


def debtor_mobile(site: Site, borrower_id: str) -> tuple[str, str]:
    """(contact_point_id, full number) of the borrower's own first mobile."""
    with site.engine.connect() as conn:
        row = conn.execute(
            select(contact_points.c.contact_point_id, contact_points.c.value)
            .where(
                contact_points.c.borrower_id == borrower_id,
                contact_points.c.owner_id == borrower_id,
                contact_points.c.kind == "mobile",
                contact_points.c.opted_out.is_(False),
            )
            .order_by(contact_points.c.contact_point_id)
        ).first()
    assert row is not None, f"{borrower_id} has no mobile of their own"
    return row[0], row[1]


def outbox_count(site: Site, borrower_id: str) -> int:
    with site.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(outbox).where(outbox.c.borrower_id == borrower_id)
            ).scalar_one()
        )


def test_agent_signs_in_and_reads_the_customer_view_of_the_first_worklist_item(
    page: Page, site: Site
) -> None:
    login(page, "agent1")
    rows = page.locator("table.worklist tbody tr")
    expect(rows.first).to_be_visible()
    first_name = rows.first.get_by_role("link").inner_text()
    borrower_id = open_first_account(page, sign_in=False)

    with site.engine.connect() as conn:
        name = conn.execute(
            select(borrowers.c.name).where(borrowers.c.borrower_id == borrower_id)
        ).scalar_one()
        loan_ids = (
            conn.execute(select(loans.c.loan_id).where(loans.c.borrower_id == borrower_id)).scalars().all()
        )
    assert first_name == name
    expect(page.locator("h1")).to_contain_text(name)
    profile = page.locator("section[aria-labelledby=h-profile]")
    expect(profile).to_be_visible()
    expect(profile).to_contain_text("负责坐席")
    loans_card = page.locator("section[aria-labelledby=h-loans]")
    expect(loans_card).to_be_visible()
    for loan_id in loan_ids:
        expect(loans_card.locator(f"article.loan[aria-label='{loan_id}']")).to_be_visible()
    expect(page.locator("section[aria-labelledby=h-today]")).to_contain_text("步骤")

    # the phone is shown masked, and the full number appears nowhere on the page
    cp_id, full = debtor_mobile(site, borrower_id)
    shown = page.locator(f"#cp-{cp_id}")
    expect(shown).to_be_visible()
    assert MASKED_MOBILE.fullmatch(shown.inner_text().strip()), shown.inner_text()
    assert full not in page.content()


def test_agent_logs_a_promise_to_pay_and_sees_it_in_the_view(page: Page, site: Site) -> None:
    borrower_id = open_first_account(page)
    cp_id, _ = debtor_mobile(site, borrower_id)
    form = page.locator("#outcome-form")
    form.locator("#o-kind").select_option("promise_to_pay")
    form.locator("#o-cp").select_option(cp_id)
    form.locator("#o-channel").select_option("call")
    form.locator("#o-amount").fill("512.34")
    form.locator("#o-due").fill("2026-03-15")
    form.get_by_role("button", name="保存结果").click()

    panel = page.locator("#work-panel")
    expect(panel.get_by_role("status")).to_contain_text("承诺还款")
    promise_row = panel.locator("table tr", has_text="2026-03-15")
    expect(promise_row).to_contain_text("¥512.34")
    expect(promise_row).to_contain_text("agent1")

    page.reload()  # it is stored, not just swapped into the page
    expect(page.locator("#work-panel table tr", has_text="2026-03-15")).to_contain_text("¥512.34")
    with site.engine.connect() as conn:
        stored = conn.execute(
            select(promises.c.amount_minor, promises.c.status, promises.c.made_by).where(
                promises.c.borrower_id == borrower_id
            )
        ).all()
    assert [tuple(r) for r in stored] == [(51234, "open", "agent1")]


def test_agent_sends_a_compliant_sms_which_reaches_the_outbox(page: Page, site: Site) -> None:
    # Half an hour after the call that got the promise: the company's minimum interval between contacts
    # (CN-FREQ-3, 15 minutes) has passed.
    site.clock.advance(timedelta(minutes=30))
    borrower_id = open_first_account(page)
    cp_id, full = debtor_mobile(site, borrower_id)
    before = outbox_count(site, borrower_id)
    text = "您好，您的借款已逾期，请尽快还款。如有困难可以联系我们协商分期。"
    composer = page.locator("#composer")
    composer.locator("#c-channel").select_option("sms")
    composer.locator("#c-cp").select_option(cp_id)
    composer.locator("#c-text").fill(text)
    expect(page.locator("#compose-feedback")).to_contain_text("可以发送")
    send = page.locator("#send-btn")
    expect(send).to_be_enabled()
    send.click()
    expect(page.locator("#sent-status")).to_be_visible()

    with site.engine.connect() as conn:
        rows = conn.execute(
            select(
                outbox.c.message_id,
                outbox.c.status,
                outbox.c.channel,
                outbox.c.created_by,
                outbox.c.contact_point_id,
            ).where(outbox.c.borrower_id == borrower_id, outbox.c.body == text)
        ).all()
    assert len(rows) == 1 and outbox_count(site, borrower_id) == before + 1
    message_id, status, channel, by, point = rows[0]
    assert (status, channel, by, point) == ("sent", "sms", "agent1", cp_id)
    expect(page.locator("#sent-status")).to_contain_text(message_id)
    sent = [json.loads(line) for line in site.sms_file.read_text(encoding="utf-8").splitlines()]
    assert any(text in json.dumps(m, ensure_ascii=False) and full in json.dumps(m) for m in sent)

    page.goto("/outbox")
    row = page.locator(f"#outbox tr[data-message='{message_id}']")
    expect(row).to_contain_text(text)
    expect(row).to_contain_text(borrower_id)
    expect(row).to_contain_text("sms")


def test_abusive_sms_is_blocked_with_its_rule_ids_and_nothing_is_queued(page: Page, site: Site) -> None:
    borrower_id = open_first_account(page)
    cp_id, _ = debtor_mobile(site, borrower_id)
    before = outbox_count(site, borrower_id)
    composer = page.locator("#composer")
    composer.locator("#c-channel").select_option("sms")
    composer.locator("#c-cp").select_option(cp_id)
    composer.locator("#c-text").fill(ABUSIVE)

    blocked = page.locator("#blocked")
    expect(blocked).to_be_visible()
    rules = set(blocked.locator("code.rule").all_inner_texts())
    assert {"CN-CONTENT-1", "CN-DISC-1"} <= rules, rules
    expect(blocked.locator("mark")).to_have_text(["爆你通讯录"])
    expect(page.locator("#rewrite")).not_to_contain_text("爆")
    expect(page.locator("#send-btn")).to_be_disabled()

    # the server refuses it too, whatever the page does: post the form with the session's CSRF token
    token = json.loads(page.locator("body").get_attribute("hx-headers") or "{}")["X-CSRF-Token"]
    r = page.request.post(
        f"/accounts/{borrower_id}/work/compose/send",
        form={"channel": "sms", "contact_point_id": cp_id, "text": ABUSIVE},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
        max_redirects=0,
    )
    assert r.ok, r.status
    assert "CN-CONTENT-1" in r.text() and "CN-DISC-1" in r.text()
    assert outbox_count(site, borrower_id) == before
    page.goto("/outbox")
    expect(page.locator("#outbox")).not_to_contain_text(ABUSIVE)
