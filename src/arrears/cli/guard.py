"""`arrears guard ...`: check one text, evaluate a JSON Lines file, judge a transcript, rebuild the model."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(
    help="文本守卫 / Text guard: threats, exposure, disclosure, false claims, abuse, harassment.",
    no_args_is_help=True,
)

AUDIENCES = ("debtor", "third_party", "transcript")


def _facts(litigation_filed: bool | None, judgment: bool | None) -> Any:
    from arrears.textguard import CaseFacts

    if litigation_filed is None and judgment is None:
        return None
    return CaseFacts(litigation_filed=litigation_filed, judgment=judgment)


def _fail(msg: str) -> None:
    typer.echo(msg, err=True)
    raise typer.Exit(2)


@app.command("check")
def check(
    text: str = typer.Argument(..., help="要检查的文本 / the text to check"),
    lang: str | None = typer.Option(None, "--lang", help="zh 或 en / zh or en (optional)"),
    audience: str = typer.Option("debtor", "--audience", help="debtor | third_party | transcript"),
    litigation_filed: bool | None = typer.Option(
        None, "--litigation-filed/--no-litigation-filed",
        help="案件状态:是否已起诉 / case state: has a lawsuit been filed? (unset = unknown)",
    ),
    judgment: bool | None = typer.Option(
        None, "--judgment/--no-judgment", help="案件状态:是否已有判决 / case state: is there a judgment?"
    ),
) -> None:
    """检查一段文本,输出 JSON / Check one text and print the spec's JSON (plus claims and a suggestion)."""
    if audience not in AUDIENCES:
        _fail(f"--audience: must be one of {', '.join(AUDIENCES)}, got {audience!r}")
    from arrears.textguard import default_guard
    from arrears.textguard.evaluation import report_json

    guard = default_guard()
    report = guard.check(text, audience=audience, lang=lang, facts=_facts(litigation_filed, judgment))
    out = report_json(None, report, with_id=False)
    out["claims"] = sorted(c.value for c in report.claims)
    out["suggestion"] = guard.suggestion(report, lang or ("en" if text.isascii() else "zh"))
    typer.echo(json.dumps(out, ensure_ascii=False))


@app.command("eval")
def evaluate(
    input_path: Path = typer.Argument(..., help="输入 JSON Lines / input JSON Lines (id, text, lang, audience)"),
    out: Path = typer.Option(..., "--out", help="输出 JSON Lines,每行对应一条输入 / output, one line per input"),
) -> None:
    """批量评估 / Judge every line of a JSON Lines file; print P/R/F1 to stderr when labels are present."""
    from arrears.textguard import default_guard
    from arrears.textguard.evaluation import dumps, evaluate_rows, has_labels, metrics
    from arrears.textguard.training import read_jsonl

    try:
        rows = read_jsonl(input_path)
    except (OSError, ValueError) as exc:
        _fail(str(exc))
    for n, r in enumerate(rows, start=1):
        if r.get("audience") not in (None, *AUDIENCES):
            _fail(f"{input_path}: line {n}: field 'audience' must be one of {', '.join(AUDIENCES)}")
    preds = evaluate_rows(default_guard(), rows)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for p in preds:
            f.write(dumps(p) + "\n")
    tmp.replace(out)  # nothing half-written
    typer.echo(f"wrote {len(preds)} lines to {out}", err=True)
    if rows and has_labels(rows):
        for m in metrics(rows, preds):
            typer.echo(m.line(), err=True)


@app.command("transcript")
def transcript(
    source: Path = typer.Argument(..., help="文件:JSON 列表 [{speaker,text}] 或 '催收员: …' 逐行 / file, '-' for stdin"),
) -> None:
    """逐轮检查通话/聊天记录 / Judge a transcript turn by turn; only the collector's turns count."""
    from arrears.textguard import default_guard
    from arrears.textguard.transcript import from_turns, parse_lines

    raw = sys.stdin.read() if str(source) == "-" else source.read_text(encoding="utf-8")
    try:
        data = json.loads(raw) if raw.lstrip().startswith("[") else None
        turns = from_turns(data) if data is not None else parse_lines(raw)
    except (ValueError, TypeError) as exc:
        _fail(f"{source}: {exc}")
    result = default_guard().check_turns(turns)
    typer.echo(json.dumps(result.to_json(), ensure_ascii=False))


@app.command("train")
def train(
    cold_dir: Path = typer.Option(
        Path("../shared/data/external/cold/train_dev"), "--cold-dir", help="COLD train.csv/dev.csv 所在目录 / COLD folder"
    ),
    corpus_dir: Path = typer.Option(
        Path("data/collection-corpus"), "--corpus-dir", help="催收语料 train.jsonl 所在目录 / collection corpus folder"
    ),
    out_dir: Path | None = typer.Option(None, "--out", help="模型输出目录 / model folder (default: the package's)"),
) -> None:
    """重新训练模型 / Rebuild the shipped model artefacts (deterministic: same inputs, same bytes)."""
    from arrears.textguard.training import train_all

    target = out_dir or Path(__file__).resolve().parents[1] / "textguard" / "model"
    for p in (cold_dir / "train.csv", cold_dir / "dev.csv", corpus_dir / "train.jsonl"):
        if not p.exists():
            _fail(f"{p}: not found")
    models = train_all(cold_dir, corpus_dir, target)
    for m in models:
        typer.echo(f"{m.name}: {m.meta.get('rows')} rows, thresholds {m.thresholds} -> {target}", err=True)


@app.command("cold-report")
def cold_report_cmd(
    cold_dir: Path = typer.Option(
        Path("../shared/data/external/cold/train_dev"), "--cold-dir", help="COLD train.csv/dev.csv 所在目录 / COLD folder"
    ),
) -> None:
    """COLD 指标 / COLD figures: dev accuracy of the shipped insult model and a topic hold-out (region)."""
    from arrears.textguard import default_guard
    from arrears.textguard.training import cold_report

    typer.echo(json.dumps(cold_report(cold_dir, default_guard().cold)))
