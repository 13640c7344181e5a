"""The message catalogue covers every key the templates use, in both languages; `arrears users add`."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil  # type: ignore[import-untyped]
import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from arrears.cli.main import app as cli
from arrears.storage.engine import make_engine
from arrears.storage.migrate import upgrade
from arrears.storage.tables_auth import users
from arrears.web.i18n import LANGS, catalogue, from_accept_language, normalise_lang, t
from arrears.web.templating import TEMPLATES_DIR

KEY_RE = re.compile(r"""\bt\(\s*["']([\w.]+)["']""")


def test_every_template_key_is_in_the_catalogue() -> None:
    cat = catalogue()
    used = {
        k for path in TEMPLATES_DIR.rglob("*.html") for k in KEY_RE.findall(path.read_text(encoding="utf-8"))
    }
    assert len(used) > 50
    # `t("role." ~ user.role)`: a dynamic key; its prefix must have entries.
    missing = sorted(
        k for k in used if k not in cat and not (k.endswith((".", "_")) and any(c.startswith(k) for c in cat))
    )
    assert not missing, missing
    for key, entry in cat.items():
        assert all(entry[lang].strip() for lang in LANGS), key


def test_language_choice() -> None:
    assert (
        normalise_lang("EN-us") == "en"
        and normalise_lang("zh-Hans") == "zh-CN"
        and normalise_lang("fr") is None
    )
    assert from_accept_language("fr;q=1, en;q=0.5, zh-CN;q=0.9") == "zh-CN"
    assert from_accept_language("fr, en-GB;q=0.7") == "en"
    assert t("error.login_locked", "en", minutes=3).endswith("about 3 minutes.")
    assert t("no.such.key", "en") == "no.such.key"


@pytest.mark.db
def test_cli_users_add(engine: Engine, database_url: str) -> None:
    from webkit import NOW

    from arrears.domain.clock import FixedClock
    from arrears.services.auth import create_demo_users

    create_demo_users(engine, clock=FixedClock(NOW))
    runner = CliRunner()
    ok = runner.invoke(
        cli,
        [
            "users",
            "add",
            "lead2",
            "--role",
            "team_lead",
            "--team-id",
            "t2",
            "--password",
            "s3cret!",
            "--database-url",
            database_url,
        ],
    )
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(
        cli,
        [
            "users",
            "add",
            "x1",
            "--role",
            "agent",
            "--agent-id",
            "ghost",
            "--password",
            "s3cret!",
            "--database-url",
            database_url,
        ],
    )
    assert bad.exit_code == 2 and "agent_id" in bad.output
    dup = runner.invoke(
        cli,
        [
            "users",
            "add",
            "lead2",
            "--role",
            "compliance",
            "--password",
            "s3cret!",
            "--database-url",
            database_url,
        ],
    )
    assert dup.exit_code == 2 and "already exists" in dup.output
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == "lead2")).mappings().one()
    assert (
        row["role"] == "team_lead"
        and row["team_id"] == "t2"
        and row["password_hash"].startswith("$argon2id$")
    )
    assert "s3cret!" not in row["password_hash"]


def test_serve_refuses_an_unmigrated_database(tmp_path: object) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["serve", "--database-url", f"sqlite:///{tmp_path}/empty.db"])
    assert res.exit_code == 1 and "arrears db upgrade" in res.output


@pytest.mark.slow
def test_serve_with_workers_serves_from_several_processes_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    """`arrears serve --workers 2`: two worker processes answer on the one port; Ctrl-C stops them all."""
    url = f"sqlite:///{tmp_path}/served.db"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    argv = ["serve", "--workers", "2", "--port", str(port), "--database-url", url]
    code = f"import sys; sys.argv = ['arrears', *{argv!r}]; from arrears.cli.main import app; app()"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, status = time.monotonic() + 60, 0
        while time.monotonic() < deadline and status != 200:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as res:
                    status = res.status
            except OSError:
                time.sleep(0.2)
        assert status == 200
        # the workers read the database given on the command line (an unknown user: 401, not a missing table's 500)
        token = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/auth/token", data=b"username=nobody&password=x", method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(token, timeout=10)
        assert refused.value.code == 401
        # the workers: the processes below the supervisor that hold the app (uvicorn spawns them)
        workers = [
            p
            for p in psutil.Process(proc.pid).children(recursive=True)
            if "spawn_main" in " ".join(p.cmdline())
        ]
        assert len(workers) == 2
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
        _gone, alive = psutil.wait_procs(workers, timeout=10)
        assert not alive
    finally:
        if proc.poll() is None:
            proc.kill()
