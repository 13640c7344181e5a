"""Regenerate the workspace screenshots in docs/screenshots/ (zh-CN UI):

    python scripts/screenshots.py [--out docs/screenshots] [--workdir DIR]

worklist.zh-CN.png, customer-view.zh-CN.png and composer.zh-CN.png. The data and the moment are fixed (the
browser tests' demo database: 300 synthetic accounts, seed 42, clock at 10:00 Shanghai on 2026-03-10), the
viewport is 1366x900, and Chromium is Debian's (ARREARS_CHROMIUM, default /usr/bin/chromium), so a run on the
same machine gives the same pictures. Chinese text needs a CJK font (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from support import (  # noqa: E402  (the e2e helpers live with the tests)
    first_worklist_account,
    launch,
    login,
    new_page,
    prepare_database,
    serve,
)

ABUSIVE = "不还钱就爆你通讯录"


def has_cjk_font() -> bool:
    try:
        out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return True  # no fontconfig tools: cannot tell
    return bool(out.strip())


def capture(out: Path, workdir: Path) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    url = prepare_database(workdir)
    written: list[Path] = []
    with serve(workdir, url) as site, sync_playwright() as pw:
        browser = launch(pw, "--lang=zh-CN")  # date inputs in Chinese too
        try:
            page = new_page(browser, site.base_url)
            login(page, "agent1")
            expect(page.locator("table.worklist tbody tr").first).to_be_visible()
            shot = out / "worklist.zh-CN.png"
            page.screenshot(path=str(shot), animations="disabled", caret="hide")
            written.append(shot)

            borrower_id = first_worklist_account(page)
            page.locator("table.worklist tbody tr").first.get_by_role("link").click()
            page.wait_for_url(f"**/accounts/{borrower_id}")
            expect(page.locator("#compose-feedback")).not_to_be_empty()  # the composer's first check has run
            shot = out / "customer-view.zh-CN.png"
            page.screenshot(path=str(shot), animations="disabled", caret="hide")
            written.append(shot)

            composer = page.locator("#composer")
            composer.locator("#c-channel").select_option("sms")
            composer.locator("#c-text").fill(ABUSIVE)
            expect(page.locator("#blocked")).to_be_visible()
            expect(page.locator("#send-btn")).to_be_disabled()
            composer.locator("#c-text").blur()
            composer.evaluate("el => el.scrollIntoView({block: 'start'})")
            page.mouse.move(0, 0)
            shot = out / "composer.zh-CN.png"
            page.screenshot(path=str(shot), animations="disabled", caret="hide")
            written.append(shot)
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument(
        "--workdir", type=Path, default=None, help="where the demo database goes (default: a temp dir)"
    )
    args = ap.parse_args(argv)
    if not has_cjk_font():
        print(
            "no CJK font: Chinese would render as boxes. Install one (Debian: apt-get install fonts-noto-cjk).",
            file=sys.stderr,
        )
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    if args.workdir is not None:
        written = capture(args.out, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="arrears-screenshots-") as tmp:
            written = capture(args.out, Path(tmp))
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
