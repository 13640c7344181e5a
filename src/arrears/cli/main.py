"""The `arrears` command. Each command group lives in its own module and only parses, calls a service and renders."""

from __future__ import annotations

import typer

from arrears.cli import compliance, db, demo, docs, guard, import_cmd, packs, score, strategy, synth

app = typer.Typer(
    name="arrears",
    help="Arrears: lawful, humane collections. 合规、有温度的贷后催收平台。",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(packs.app, name="packs")
app.add_typer(compliance.app, name="compliance")
app.add_typer(guard.app, name="guard")
app.add_typer(docs.app, name="docs")
app.add_typer(score.app, name="score")
app.add_typer(strategy.app, name="strategy")
app.command("import")(import_cmd.import_portfolio)
app.command("synth")(synth.synth)
app.command("demo")(demo.demo)


if __name__ == "__main__":  # pragma: no cover
    app()
