"""Screenshots of the HTML reports, for docs/images/: `.venv/bin/python tools/report_screenshot.py`.

Imports the Primorye example into a store of its own (a temporary folder), writes the
budget report's page (`roadmap report budget --by sector,source --html …`) and those of the
other reports that have charts (rating, indicators, progress, where the installed version
has them), and photographs each with headless Chromium (Debian's `chromium`) as
docs/images/report-<name>.png. Needs nothing but the project's .venv and chromium.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images"
ROADMAP = Path(sys.executable).parent / "roadmap"
NOW = "2026-12-10"  # a fixed moment: the pictures do not change from one day to the next

#: Reports photographed, with their options; the budget first, the rest when present.
REPORTS = {
    "budget": ["--by", "sector,source"],
    "rating": [],
    "indicators": [],
    "progress": [],
}


def available_reports() -> set[str]:
    """The `roadmap report` commands of this version."""
    from roadmap.cli.app import app  # noqa: F401  (mounts every report command)
    from roadmap.cli.reports import report_app

    return {command.name for command in report_app.registered_commands if command.name}


def roadmap(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(ROADMAP), *args], env=env, check=True, capture_output=True, text=True)


def shoot(page: Path, picture: Path, profile: Path) -> None:
    subprocess.run(
        [
            shutil.which("chromium") or "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--screenshot={picture}",
            "--window-size=1400,1800",
            "--virtual-time-budget=10000",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    print(f"{picture.relative_to(ROOT)} ← roadmap report {page.stem} --html")


def main() -> None:
    if shutil.which("chromium") is None:
        sys.exit("chromium is not installed (Debian: apt-get install chromium)")
    OUT.mkdir(parents=True, exist_ok=True)
    present = available_reports()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {
            key: value for key, value in os.environ.items() if not key.startswith("ROADMAP_")
        } | {
            "ROADMAP_DATABASE_URL": f"sqlite:///{work / 'roadmap.db'}",
            "ROADMAP_DATA_DIR": str(work),
            "ROADMAP_LOCALE": "ru",
        }
        roadmap(env, "init")
        roadmap(env, "import", str(ROOT / "examples" / "primorye.yaml"))
        for name, options in REPORTS.items():
            if name not in present:
                continue
            page = work / f"{name}.html"
            roadmap(env, "report", name, *options, "--now", NOW, "--html", str(page))
            shoot(page, OUT / f"report-{name}.png", work / "chromium")


if __name__ == "__main__":
    main()
