"""`arrears strategy ...`: validate and show collection strategies (strategies as data)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from arrears.strategy.cases import case_files, load_cases, run_case
from arrears.strategy.loader import StrategyError, builtin_strategy_paths, load_strategy

app = typer.Typer(help="催收策略 / Collection strategies: validate and show.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@app.command("check")
def check(
    files: list[Path] = typer.Argument(None, help="要额外校验的策略文件 / Extra strategy files to validate."),
) -> None:
    """校验全部内置策略(及给定文件)并运行黄金用例 / Validate every built-in strategy (and FILES); run golden cases."""
    targets = [str(p) for p in builtin_strategy_paths().values()] + [str(f) for f in files or []]
    failed = 0
    for t in targets:
        try:
            s = load_strategy(t)
        except StrategyError as e:
            failed += 1
            err.print(f"[red]✗[/red] {e}", soft_wrap=True)
            continue
        console.print(f"✓ {s.id} {s.version}: {len(s.segments)} 个分群 / segments, "
                      f"{len(s.treatments)} 个处置 / treatments ({t})")
        for cf in case_files(s.id) if t in {str(p) for p in builtin_strategy_paths().values()} else ():
            try:
                _, cases = load_cases(cf)
            except StrategyError as e:
                failed += 1
                err.print(f"[red]✗[/red] {e}", soft_wrap=True)
                continue
            bad = [(c.id, d) for c in cases for d in run_case(s, c)]
            for cid, d in bad:
                err.print(f"[red]✗[/red] {cf}: case {cid}: {d}", soft_wrap=True)
            failed += bool(bad)
            console.print(f"  {len(cases) - len({c for c, _ in bad})}/{len(cases)} 个用例通过 / cases pass ({cf.name})")
    if failed:
        err.print(f"{failed} 个策略或用例文件无效 / invalid strategy or case file(s)")
        raise typer.Exit(1)


@app.command("show")
def show(
    name: str = typer.Argument(..., help="内置策略名或策略文件 / Built-in strategy name or a strategy file."),
    lang: str = typer.Option("zh", "--lang", help="显示语言 zh | en / Display language zh | en."),
) -> None:
    """以表格显示策略的分群与处置步骤 / Print a strategy's segments and treatment steps."""
    try:
        s = load_strategy(name)
    except StrategyError as e:
        err.print(str(e))
        raise typer.Exit(2) from e
    en = lang == "en"
    console.print(f"[bold]{s.id} {s.version}[/bold] — {s.description_en if en else s.description_zh}")
    seg_table = Table(title="Segments (first match wins)" if en else "分群(按顺序,首个匹配生效)")
    for col in (("Segment", "分群"), ("Match", "条件"), ("Variants", "方案分流"), ("Description", "说明")):
        seg_table.add_column(col[0] if en else col[1], no_wrap=col[0] == "Segment")
    for seg in s.segments:
        m = seg.match
        crit = "default" if seg.is_default else ", ".join(
            f"{k}={v}" for k, v in (
                ("buckets", m.buckets), ("balance_minor", (m.balance_min_minor, m.balance_max_minor)),
                ("score", (m.score_min, m.score_max)), ("products", m.products), ("region", m.region_prefixes),
                ("language", m.languages), ("lender", m.lender_types), ("vulnerability", m.vulnerability.value),
            ) if v not in (None, (None, None), "any")
        )
        variants = "; ".join(f"{v.id}→{v.treatment} {v.share_bp / 100:g}%" for v in seg.variants)
        seg_table.add_row(seg.id, crit, variants, seg.description_en if en else seg.description_zh)
    console.print(seg_table)
    for t in s.treatments:
        table = Table(title=f"{t.id} — {t.description_en if en else t.description_zh}")
        for col in (("Step", "步骤"), ("When", "时间"), ("Channel", "渠道"), ("Party", "对象"),
                    ("Template", "模板/话术"), ("Pool", "资源池"), ("Conditions", "条件"), ("Requires", "要求")):
            # The step id, which operators search for, is never wrapped or elided.
            table.add_column(col[0] if en else col[1], no_wrap=col[0] == "Step")
        for st in t.steps:
            when = f"{st.anchor} {st.day_offset:+d}"
            if st.every_days:
                when += f" /{st.every_days}d" + (f" ..{st.until_offset:+d}" if st.until_offset is not None else "")
            if st.from_bucket:
                when += f" ≥{st.from_bucket}"
            r = st.requires
            req = ", ".join(x for x, on in (("supervisor", r.supervisor_approval), (f"staff≥{r.min_staff}",
                            r.min_staff > 1), ("recording", r.recording)) if on)
            table.add_row(st.id, when, st.channel.value, st.party.value, st.template, st.pool,
                          " & ".join(map(str, st.conditions)), req)
        console.print(table)
