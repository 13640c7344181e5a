"""Reference docs are generated from the code; these tests fail when a command or setting is undocumented."""

from __future__ import annotations

from pathlib import Path

import typer

from arrears.cli.docs import _walk, generated_docs
from arrears.cli.main import app

REPO = Path(__file__).resolve().parents[2]


def test_committed_cli_and_settings_docs_match_the_code() -> None:
    for name, text in generated_docs().items():
        committed = (REPO / "docs" / name).read_text(encoding="utf-8")
        assert committed == text, f"docs/{name} is stale: run `arrears docs`"


def test_every_command_and_option_has_help_text() -> None:
    root = typer.main.get_command(app)
    for path, cmd in _walk(root, ["arrears"]):
        help_text = (cmd.help or "").strip()
        assert help_text and help_text != path[-1], f"`{' '.join(path)}` has no help text"
        for p in cmd.params:
            if p.param_type_name == "option" and p.name != "help":
                assert p.help, f"option {p.opts} of `{' '.join(path)}` has no help text"


def test_every_setting_has_a_description() -> None:
    from arrears.settings import Settings

    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} is undocumented"
