"""`arrears strategy check` and `show`: what an operator sees."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from arrears.cli.main import app

runner = CliRunner()


def test_check_validates_the_packaged_strategy_and_runs_its_golden_cases() -> None:
    result = runner.invoke(app, ["strategy", "check"])
    assert result.exit_code == 0, result.output
    assert "cn_default" in result.output and "12/12" in result.output


def test_check_fails_on_a_bad_file_and_names_the_step_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        """
strategy: bad
version: "1"
salt: s
description: {zh: 坏, en: bad}
treatments:
  - id: t
    steps:
      - {id: ec, anchor: instalment_due_date, day: 3, channel: call, party: emergency_contact,
         template: overdue_notice, pool: p, when: [borrower_unreachable]}
default: {id: rest, treatment: t}
""",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["strategy", "check", str(bad)])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "bad.yaml: treatments[0] (t) / steps[0] (ec): field template" in text


def test_case_file_errors_name_the_case_and_field(tmp_path: Path) -> None:
    from arrears.strategy.cases import load_cases
    from arrears.strategy.loader import StrategyError

    f = tmp_path / "cases.yaml"
    f.write_text(
        "strategy: cn_default\ncases:\n  - {id: a, as_of: 2026-03-10, expect: {segment: m1, due_today: []},\n"
        "     facts: {account_id: x, bucket: M1, dpd: -1, balance_minor: 1, instalment_due_date: 2026-03-09}}\n",
        encoding="utf-8",
    )
    try:
        load_cases(f)
    except StrategyError as e:
        assert (e.where, e.field) == ("cases[0] (a)", "facts.dpd")
    else:
        raise AssertionError("a negative DPD loaded")


def test_show_prints_segments_and_steps_in_either_language() -> None:
    zh = runner.invoke(app, ["strategy", "show", "cn_default"])
    en = runner.invoke(app, ["strategy", "show", "cn_default", "--lang", "en"])
    assert zh.exit_code == 0 and en.exit_code == 0
    assert "分群" in zh.output and "Segments (first match wins)" in en.output
    assert "m_visit" in en.output and "e_locate_ec" in en.output


def test_show_of_an_unknown_strategy_exits_with_an_error() -> None:
    result = runner.invoke(app, ["strategy", "show", "no_such_strategy"])
    assert result.exit_code == 2
