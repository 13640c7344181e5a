"""`arrears guard eval` writes one line per input, in order, in the spec's format; metrics go to stderr."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from arrears.cli.main import app


def test_eval_writes_one_line_per_input_in_order(tmp_path: Path) -> None:
    rows = [
        {"id": "m1", "text": "不接电话就轰炸你通讯录", "lang": "zh", "violation": True, "categories": ["threat_exposure"]},
        {"id": "m2", "text": "您好,您的账单已逾期3天,请尽快还款。", "violation": False, "categories": []},
        {"id": "m3", "text": "We will never contact your employer.", "audience": "debtor", "violation": False,
         "categories": []},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["guard", "eval", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == ["m1", "m2", "m3"]
    assert set(lines[0]) == {"id", "violation", "categories", "score", "spans"}
    assert lines[0]["violation"] and lines[0]["categories"] == ["threat_exposure"]
    span = lines[0]["spans"][0]
    assert rows[0]["text"][span["start"] : span["end"]] == span["evidence"]
    assert not lines[1]["violation"] and not lines[2]["violation"]
    assert "violation" in result.stderr and "P=1.000" in result.stderr


def test_eval_names_the_bad_line(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id": "a", "text": "ok"}\n{"id": "b"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["guard", "eval", str(src), "--out", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2
    assert "line 2" in result.stderr and "text" in result.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_check_prints_spec_json_with_a_compliant_alternative() -> None:
    result = CliRunner().invoke(app, ["guard", "check", "此图只给你自己看,不要逼我们群发"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["violation"] and "threat_exposure" in out["categories"]
    assert out["suggestion"] and "分期" in out["suggestion"]


def test_each_span_is_reported_once_per_category() -> None:
    from arrears.textguard import default_guard
    from arrears.textguard.evaluation import report_json

    out = report_json("m1", default_guard().check("不还钱就爆你通讯录"))
    keys = [(s["start"], s["end"], s["category"]) for s in out["spans"]]  # type: ignore[union-attr]
    assert keys and len(keys) == len(set(keys))
