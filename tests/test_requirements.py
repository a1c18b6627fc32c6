"""Every module the running site imports is installed by requirements.txt.

Why: the test environment installs requirements-test.txt on top of requirements.txt,
so a runtime import of a package that only the tests pull in passes every test and
then fails `make run` on a clean machine (lxml did, at `migrate`: feed/oai imports
it). This reads the imports of the code that runs in production, with `ast`, and
follows requirements.txt through each distribution's own requirements.
"""

import ast
import sys
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
# The code that runs in production: the apps and manage.py.
RUNTIME = ["assets", "cms", "feed", "ingest", "press", "review", "search", "manage.py"]
LOCAL = {p.name.removesuffix(".py") for p in ROOT.iterdir() if (p / "__init__.py").exists()}


def imported_modules(paths):
    """{top-level module: first file importing it} of absolute imports in `paths`."""
    found = {}
    for base in paths:
        base = ROOT / base
        files = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for path in files:
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(
                        name.split(".")[0],
                        path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name,
                    )
    return found


def installed_by(requirements_file):
    """Canonical names of every distribution that `pip install -r requirements_file`
    installs: the pinned ones and, recursively, what they require (with their extras)."""
    wanted = []
    for line in requirements_file.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            wanted.append(Requirement(line))
    seen = set()
    while wanted:
        requirement = wanted.pop()
        name = canonicalize_name(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = metadata.requires(requirement.name) or []
        except metadata.PackageNotFoundError:
            continue
        for text in requires:
            child = Requirement(text)
            extras = requirement.extras or {""}
            if child.marker is None or any(
                child.marker.evaluate({**default_environment(), "extra": extra}) for extra in extras
            ):
                wanted.append(child)
    return {name for name, _extras in seen}


def test_runtime_imports_are_installed_by_requirements_txt():
    distributions = metadata.packages_distributions()
    installed = installed_by(ROOT / "requirements.txt")
    missing = []
    for module, path in sorted(imported_modules(RUNTIME).items()):
        if module in sys.stdlib_module_names or module in LOCAL:
            continue
        owners = {canonicalize_name(d) for d in distributions.get(module, [])}
        if not owners:
            missing.append(f"{module} (imported by {path}) is not installed at all")
        elif not owners & installed:
            missing.append(
                f"{module} (imported by {path}) comes from {', '.join(sorted(owners))}, "
                "which requirements.txt does not install"
            )
    assert not missing, "\n".join(missing)


def test_the_check_sees_a_package_only_the_tests_install(tmp_path):
    """The check itself can fail: pytest is installed here, by requirements-test.txt."""
    installed = installed_by(ROOT / "requirements.txt")
    assert "django" in installed and "django-taggit" in installed  # wagtail's own
    assert "pytest" not in installed
    module = tmp_path / "uses_pytest.py"
    module.write_text("def f():\n    import pytest\n    from lxml import etree\n")
    assert set(imported_modules([module])) == {"pytest", "lxml"}
