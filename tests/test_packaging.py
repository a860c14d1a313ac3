"""A non-editable install carries everything the app needs: code, styles and demo data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_styles_and_sandbox(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("pickterm-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for tcss in (ROOT / "styles").glob("*.tcss"):
        assert f"pickterm/styles/{tcss.name}" in names, f"{tcss.name} is missing from the wheel"
    assert "pickterm/sandbox/data.py" in names
    assert "pickterm/app.py" in names
    # The translations, compiled: the user needs no gettext tool.
    for language in ("es", "pt_BR"):
        assert f"pickterm/locale/{language}/LC_MESSAGES/pickterm.mo" in names, f"the {language} catalog is missing"
    assert not any(name.startswith("tests/") for name in names)
