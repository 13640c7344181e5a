"""The script library: the built-in scenarios, versions (latest wins), the guard gate, suggestions."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from workspace_seed import AGENT1, LEAD1, Work

from arrears.services.workspace.common import Blocked, Forbidden
from arrears.services.workspace.scripts import (
    SCENARIOS,
    builtin_scripts,
    get_script,
    latest_scripts,
    render,
    save_script,
    script_history,
    seed_scripts,
    suggest_scenario,
)
from arrears.storage.tables_work import scripts
from arrears.textguard.guard import default_guard


def test_builtins_cover_every_scenario_in_both_languages_and_pass_the_guard() -> None:
    guard = default_guard()
    seen = set()
    for s in builtin_scripts():
        seen.add(s["scenario"])
        for lang in ("zh", "en"):
            filled = render(s["body"][lang], {"name": "张伟", "agent": "小王", "company": "示例消费金融",
                                              "amount": "1,000.00", "due_date": "2026-03-15"})
            report = guard.check(filled, audience=s["audience"])
            assert not report.violation, (s["script_id"], lang, report.categories)
    assert seen == set(SCENARIOS)
    locate = next(s for s in builtin_scripts() if s["scenario"] == "third_party_callback")
    assert locate["audience"] == "third_party"
    assert "{amount}" not in locate["body"]["zh"] and "{company}" not in locate["body"]["zh"]


@pytest.mark.db
def test_seed_then_lead_edits_a_new_version_that_wins(work: Work) -> None:
    assert seed_scripts(work.engine, clock=work.clock) == 2 * len(SCENARIOS)
    assert seed_scripts(work.engine, clock=work.clock) == 0
    new = save_script(work.engine, clock=work.clock, user=LEAD1, checker=default_guard(), script_id="reminder",
                      lang="zh", body="{name}您好,我是{company}的{agent}。提醒您 {due_date} 有一笔 {amount} 元的还款,如有困难请联系我们。")
    assert new.version == 2 and new.scenario == "reminder" and new.author == "lead1"
    with work.engine.connect() as c:
        assert get_script(c, "reminder", "zh").version == 2
        assert [s.version for s in script_history(c, "reminder", "zh")] == [2, 1]
        assert get_script(c, "reminder", "en").version == 1
        latest = latest_scripts(c, lang="zh")
    assert len(latest) == len(SCENARIOS)
    assert {s.script_id: s.version for s in latest}["reminder"] == 2


@pytest.mark.db
def test_a_script_that_fails_the_guard_is_not_saved(work: Work) -> None:
    seed_scripts(work.engine, clock=work.clock)
    with pytest.raises(Blocked) as e:
        save_script(work.engine, clock=work.clock, user=LEAD1, checker=default_guard(), script_id="reminder",
                    lang="zh", body="今天不还钱就爆你通讯录,让你亲戚朋友都知道你是老赖")
    assert "threat_exposure" in e.value.rules
    assert e.value.detail["spans"] and all(s["evidence"] for s in e.value.detail["spans"])
    with work.engine.connect() as c:
        assert c.execute(select(scripts.c.version).where(scripts.c.script_id == "reminder",
                                                         scripts.c.lang == "zh")).scalars().all() == [1]


@pytest.mark.db
def test_only_team_leads_edit_scripts(work: Work) -> None:
    with pytest.raises(Forbidden):
        save_script(work.engine, clock=work.clock, user=AGENT1, checker=default_guard(), script_id="reminder",
                    lang="zh", body="您好")


def test_suggestions() -> None:
    assert suggest_scenario(audience="third_party", template="goodwill_call") == "third_party_callback"
    assert suggest_scenario(template="goodwill_call", last_outcome="dispute") == "dispute"
    assert suggest_scenario(template="plan_offer", last_outcome="hardship") == "hardship"
    assert suggest_scenario(template="goodwill_call", promise_broken=True) == "broken_promise"
    assert suggest_scenario(template="broken_promise_followup") == "broken_promise"
    assert suggest_scenario(template="plan_offer") == "cant_pay_now"
    assert suggest_scenario(last_outcome="refused") == "cant_pay_now"
    assert suggest_scenario(segment="vulnerable") == "hardship"
    assert suggest_scenario(bucket="M1", ever_reached=False) == "first_contact"
    assert suggest_scenario(bucket="pre_due") == "reminder"
    # the debtor never gets the locate-only script, even if the strategy names it
    assert suggest_scenario(template="locate_only") != "third_party_callback"


def test_render_keeps_unknown_placeholders_visible() -> None:
    assert render("{name}您好 {unknown} {}", {"name": "张伟"}) == "张伟您好 {unknown} {}"
