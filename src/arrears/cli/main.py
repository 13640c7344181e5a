"""The `arrears` command. Each command group lives in its own module and only parses, calls a service and renders."""

from __future__ import annotations

import typer

from arrears.cli import (
    compliance,
    db,
    demo,
    docs,
    guard,
    import_cmd,
    packs,
    plan,
    score,
    serve,
    strategy,
    synth,
    users,
    work,
)

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
app.add_typer(users.app, name="users")
app.add_typer(work.app, name="work")
app.add_typer(work.outbox_app, name="outbox")
app.command("import")(import_cmd.import_portfolio)
app.command("synth")(synth.synth)
app.command("demo")(demo.demo)
app.command("plan")(plan.plan)
app.command("serve")(serve.serve)


if __name__ == "__main__":  # pragma: no cover
    app()
