"""Vietnamese first: every string of Sen's own code has its Vietnamese (and English)
translation, and the catalogues in locales/ are up to date with the code.

The check re-extracts the strings from a copy of the source (Django's makemessages)
and asks msgfmt for the statistics, so a new string without a translation fails."""

import shutil
import subprocess
import sys

import pytest
from django.conf import settings

SOURCES = ("assets", "cms", "locales", "manage.py")


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory):
    root = tmp_path_factory.mktemp("catalogues")
    for name in SOURCES:
        source = settings.BASE_DIR / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, root / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "-l", "en", "--no-obsolete"],
        cwd=root,
        env={"SEN_ENV": "dev", "SEN_VAR_DIR": str(root / "var"), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
    )
    return root / "locales"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_string_is_translated(fresh_catalogues, language):
    result = subprocess.run(
        [
            "msgfmt",
            "--check",
            "--statistics",
            "-o",
            "/dev/null",
            fresh_catalogues / language / "LC_MESSAGES" / "django.po",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    statistics = result.stderr.strip()
    assert "fuzzy" not in statistics, statistics
    assert "untranslated" not in statistics, statistics
    assert "translated message" in statistics
