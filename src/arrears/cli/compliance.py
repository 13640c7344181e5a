"""`arrears compliance ...`: check one attempt, run scenario files, replay the decision log."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
import yaml
from rich.console import Console

from arrears.compliance.loader import PackError
from arrears.compliance.scenario import ScenarioError
from arrears.services.compliance import CHECKERS, ComplianceService, DecisionSink, default_checker

app = typer.Typer(help="合规引擎 / Compliance engine: check, scenarios, replay.", no_args_is_help=True)
out_console = Console()
err = Console(stderr=True)

LOG_HELP = "决策日志 / decision log: 'db' (ARREARS_DATABASE_URL), a .jsonl file, or 'none'."
CHECKER_OPTION = typer.Option("both", "--checker", help=f"内容检查器 / content checker: {' | '.join(CHECKERS)}.")


def _service(checker: str) -> ComplianceService:
    try:
        return ComplianceService(checker=default_checker(checker))
    except (ValueError, ImportError, FileNotFoundError) as e:
        err.print(f"内容检查器不可用 / content checker unavailable: {e}")
        raise typer.Exit(2) from e


def _open_log(target: str) -> tuple[DecisionSink | None, Any]:
    """A sink and a closer. 'db' uses the settings database; a path ending in .jsonl a JSON Lines file."""
    if target == "none":
        return None, lambda commit: None
    if target != "db":
        from arrears.storage.decisions import JsonlDecisionLog

        return JsonlDecisionLog(target), lambda commit: None
    from sqlalchemy import inspect

    from arrears.settings import get_settings
    from arrears.storage.decisions import DecisionRepository
    from arrears.storage.engine import make_engine

    engine = make_engine(get_settings().database_url)
    if not inspect(engine).has_table("decision_log"):
        engine.dispose()
        err.print("数据库中没有 decision_log 表:请先运行 `arrears db upgrade`,或使用 --log FILE.jsonl / --log none\n"
                  "no decision_log table: run `arrears db upgrade`, or use --log FILE.jsonl / --log none")
        raise typer.Exit(2)
    conn = engine.connect()
    conn.begin()

    def close(commit: bool) -> None:
        if commit:
            conn.commit()
        conn.close()
        engine.dispose()

    return DecisionRepository(conn), close


def _read_attempt(source: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as e:
        err.print(f"{source}: 无法读取 / cannot read: {e.strerror or e}")
        raise typer.Exit(2) from e
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as e:
            err.print(f"{source}: 不是有效的 JSON / not valid JSON: {e}")
            raise typer.Exit(2) from e
    if not isinstance(doc, dict):
        err.print(f"{source}: 需要一个 JSON 对象 / expected one JSON object")
        raise typer.Exit(2)
    return doc


@app.command("check")
def check(
    source: str = typer.Argument("-", help="Attempt JSON (scenario shape without expect); '-' reads stdin."),
    pack: str | None = typer.Option(None, "--pack", help="Override the pack (name or pack/policy file)."),
    lang: str = typer.Option("zh", "--lang", help="zh | en"),
    log: str = typer.Option("db", "--log", help=LOG_HELP),
    checker: str = CHECKER_OPTION,
) -> None:
    """判断一次联系尝试 / Judge one contact attempt and log the decision."""
    raw = _read_attempt(source)
    sink, close = _open_log(log)
    ok = False
    try:
        dec, h = _service(checker).check(raw, log=sink, source="cli", pack=pack)
        ok = True
    except (ScenarioError, PackError) as e:
        err.print(str(e))
        raise typer.Exit(2) from e
    finally:
        close(ok)
    out_console.print_json(json.dumps({**dec.to_result(lang), "pack": dec.pack, "pack_version": dec.pack_version,
                                       "input_hash": h}, ensure_ascii=False))


@app.command("scenarios")
def scenarios(
    files: list[Path] = typer.Argument(..., help="Scenario YAML files."),
    out: Path = typer.Option(..., "--out", help="Results, one JSON object per scenario (JSON Lines)."),
    check_: bool = typer.Option(False, "--check", help="Exit 1 if any result disagrees with its expect."),
    lang: str = typer.Option("zh", "--lang", help="zh | en"),
    log: str = typer.Option("none", "--log", help=LOG_HELP),
    checker: str = CHECKER_OPTION,
) -> None:
    """运行场景文件 / Run scenario files (a harness: exit 0 unless --check finds a mismatch)."""
    sink, close = _open_log(log)
    ok = False
    try:
        results = _service(checker).run_scenarios(files, lang=lang, log=sink)
        ok = True
    except (ScenarioError, PackError) as e:
        err.print(str(e))
        raise typer.Exit(2) from e
    finally:
        close(ok)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for r in results:
            f.write(json.dumps(r.as_json(), ensure_ascii=False) + "\n")
    mismatches = [(r.scenario.id, r.mismatch) for r in results if r.mismatch]
    counts: dict[str, int] = {}
    for r in results:
        counts[r.decision.verdict.value] = counts.get(r.decision.verdict.value, 0) + 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    err.print(f"{len(results)} 个场景 / scenarios ({summary}) → {out}")
    if check_:
        for sid, why in mismatches:
            err.print(f"[red]✗ {sid}[/red]: {why}")
        with_expect = sum(1 for r in results if r.scenario.expect is not None)
        err.print(f"通过 / passed {with_expect - len(mismatches)}/{with_expect}")
        if mismatches:
            raise typer.Exit(1)


@app.command("replay")
def replay(
    pack: str = typer.Option(..., "--pack", help="The pack (name or file) to re-evaluate the logged decisions under."),
    log: str = typer.Option("db", "--log", help=LOG_HELP),
    only_pack: str | None = typer.Option(None, "--only", help="Replay only decisions logged under this pack id."),
    checker: str = CHECKER_OPTION,
) -> None:
    """用另一版本规则包重放决策日志 / Replay logged decisions under another pack; list those that change."""
    sink, close = _open_log(log)
    if sink is None:
        err.print("--log none: 没有可重放的日志 / nothing to replay")
        raise typer.Exit(2)
    try:
        changes = _service(checker).replay(sink, pack=pack, only_pack=only_pack)
    except (ScenarioError, PackError, ValueError) as e:
        err.print(str(e))
        raise typer.Exit(2) from e
    finally:
        close(False)
    for c in changes:
        out_console.print_json(json.dumps(c.as_json(), ensure_ascii=False))
    err.print(f"{len(changes)} 条决策会改变 / decision(s) would change")
