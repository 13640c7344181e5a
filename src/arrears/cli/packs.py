"""`arrears packs ...`: validate, show and document the compliance rule packs."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from arrears.compliance.loader import BUILTIN_PROFILES, PackError, builtin_pack_paths, load_pack
from arrears.compliance.reference import render_reference

app = typer.Typer(help="规则包 / Rule packs: validate, show, document.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@app.command("check")
def check(files: list[Path] = typer.Argument(None, help="Extra pack or policy files to validate.")) -> None:
    """校验全部内置规则包(及给定文件)/ Validate every built-in pack (and any FILES)."""
    targets: list[str] = [str(p) for p in builtin_pack_paths().values()] + [str(f) for f in files or []]
    failed = 0
    for t in targets:
        try:
            pk = load_pack(t)
        except PackError as e:
            failed += 1
            err.print(f"[red]✗[/red] {e}")
            continue
        console.print(f"✓ {pk.id} {pk.version}: {len(pk.rules)} 条规则 / rules ({t})")
    if failed:
        err.print(f"{failed} 个规则包无效 / invalid pack(s)")
        raise typer.Exit(1)


@app.command("show")
def show(
    pack: str = typer.Argument(..., help=f"Pack name ({', '.join(BUILTIN_PROFILES)}) or a pack/policy file."),
    lang: str = typer.Option("zh", "--lang", help="zh | en"),
) -> None:
    """以表格显示规则包 / Print a pack's rules as a table."""
    try:
        pk = load_pack(pack)
    except PackError as e:
        err.print(str(e))
        raise typer.Exit(2) from e
    en = lang == "en"
    table = Table(title=f"{pk.id} {pk.version} ({pk.effective_from}) — {pk.description_en if en else pk.description_zh}")
    for col in (("Rule", "规则"), ("Kind", "类型"), ("Strength", "效力"), ("Verdict", "违规处理"),
                ("Channels", "渠道"), ("Title", "说明"), ("Sources", "依据")):
        table.add_column(col[0] if en else col[1], no_wrap=col[0] in ("Rule", "Strength", "Verdict"))
    for r in pk.rules:
        table.add_row(
            r.id, r.kind, r.strength, r.verdict.value, ", ".join(sorted(c.value for c in r.channels)),
            r.title_en if en else r.title_zh, "; ".join(f"{c.cite} [{c.conf}]" for c in r.citations),
        )
    console.print(table)


@app.command("docs")
def docs(
    out: Path = typer.Option(Path("docs/rules-reference.md"), "--out", help="Where to write the reference."),
    check_only: bool = typer.Option(False, "--check", help="Exit 1 if the file is stale instead of writing it."),
) -> None:
    """生成规则参考文档 / Generate the rule reference from the packs."""
    text = render_reference([load_pack(p) for p in BUILTIN_PROFILES])
    if check_only:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            err.print(f"{out} 已过期,请运行 `arrears packs docs` / is stale: run `arrears packs docs`")
            raise typer.Exit(1)
        console.print(f"{out} 是最新的 / is up to date")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    console.print(f"已写入 / wrote {out}")
