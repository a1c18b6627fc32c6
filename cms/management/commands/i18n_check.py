"""`make i18n-check`: how complete the catalogues are, and a failure when they slip.

* Sen's own strings (extracted afresh from a copy of the source) must be 100 %
  translated in vi and en.
* Each catalogue Sen ships in locales/vendor/<app>/ for Wagtail and its add-ons is
  measured against the strings of the *installed* package (its English template), so
  after an upgrade the new strings show up as missing: at least 98 % in vi.
* The public site's chrome (strings of the public templates) must be 100 % translated
  in every other configured language (zh-hans, ja, ko, fr by default).
* Every installed add-on with a catalogue needs one in locales/vendor/.
* Every .po file must compile (msgfmt --check).
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import to_locale

OWN_LANGUAGES = ("vi", "en")
VENDOR_THRESHOLD = 98.0
# Apps whose interface editors see. Django itself counts too: its form errors and
# dates appear throughout the admin, and its Vietnamese catalogue is incomplete.
VENDOR_PREFIXES = (
    "wagtail",
    "wagtailmedia",
    "taggit",
    "django.contrib.auth",
    "django.contrib.contenttypes",
)


def _key(entry):
    return (entry.msgctxt or "", entry.msgid)


def _translated(entry):
    if entry.obsolete or "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return any(value for value in entry.msgstr_plural.values())
    return bool(entry.msgstr)


PUBLIC_SITE_FILES = ("cms/views.py", "cms/forms.py", "cms/feeds.py", "cms/published.py")


def is_public_site(path):
    if path.startswith("press/templates/press/kit"):
        return True
    if path.startswith("cms/templates/"):
        # Overrides of Wagtail's admin templates live beside the public ones.
        return not path.startswith(("cms/templates/wagtailadmin/", "cms/templates/wagtailusers/"))
    return path in PUBLIC_SITE_FILES


class Command(BaseCommand):
    help = "Report translated/total per catalogue and fail when Sen's rules are not met."

    def add_arguments(self, parser):
        parser.add_argument("--missing", action="store_true", help="List the untranslated strings.")

    def handle(self, *args, missing=False, **options):
        import polib

        self.polib = polib
        self.show_missing = missing
        self.failures = []
        rows = [*self.own_catalogues(), *self.vendor_catalogues()]
        self.compile_all()

        width = max(len(row[0]) for row in rows)
        for name, language, done, total, required in rows:
            percent = 100.0 * done / total if total else 100.0
            status = "ok" if percent >= required else f"BELOW {required:g}%"
            self.stdout.write(
                f"{name:<{width}}  {language:<3} {done:>5} / {total:<5} {percent:6.1f}%  {status}"
            )
            if percent < required:
                self.failures.append(f"{name} [{language}]: {done}/{total}")
        if self.failures:
            raise CommandError("Catalogues incomplete: " + "; ".join(self.failures))
        self.stdout.write("All catalogues complete.")

    def measure(self, name, language, source_entries, catalogue_path, required, upstream=None):
        """translated/total of `source_entries` in our catalogue, counting what the
        package's own catalogue (`upstream`) already translates: Django falls back to
        it for anything LOCALE_PATHS lacks."""
        translated = set()
        for path in (catalogue_path, upstream):
            if path is not None and path.exists():
                translated |= {_key(e) for e in self.polib.pofile(str(path)) if _translated(e)}
        wanted = [e for e in source_entries if not e.obsolete and e.msgid]
        lacking = [e for e in wanted if _key(e) not in translated]
        if self.show_missing:
            for entry in lacking:
                self.stdout.write(f"  missing {name} [{language}]: {entry.msgid!r}")
        return (name, language, len(wanted) - len(lacking), len(wanted), required)

    def own_catalogues(self):
        """Extract Sen's strings from a copy, so the count reflects the code."""
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            # Sen's apps are the top-level folders with an apps.py.
            for source in settings.BASE_DIR.iterdir():
                if (source / "apps.py").exists():
                    shutil.copytree(
                        source, root / source.name, ignore=shutil.ignore_patterns("__pycache__")
                    )
            shutil.copy(settings.BASE_DIR / "manage.py", root / "manage.py")
            (root / "locales").mkdir()
            subprocess.run(
                [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete"],
                cwd=root,
                env={"SEN_ENV": "dev", "SEN_VAR_DIR": str(root / "var"), "PATH": "/usr/bin:/bin"},
                check=True,
                capture_output=True,
            )
            template = self.polib.pofile(str(root / "locales/en/LC_MESSAGES/django.po"))
            # The public site's chrome: every string a visitor can meet (its
            # templates, views, filter forms and feeds), wherever else it is used.
            chrome = [
                entry
                for entry in template
                if any(is_public_site(path) for path, _line in entry.occurrences)
            ]
            for code, _name in settings.LANGUAGES:
                if code in OWN_LANGUAGES:
                    continue
                yield self.measure(
                    "sen (public site chrome)",
                    code,
                    chrome,
                    settings.BASE_DIR / "locales" / to_locale(code) / "LC_MESSAGES" / "django.po",
                    100.0,
                )
            for language in OWN_LANGUAGES:
                yield self.measure(
                    "sen",
                    language,
                    list(template),
                    settings.BASE_DIR / "locales" / language / "LC_MESSAGES" / "django.po",
                    100.0,
                )

    def vendor_catalogues(self):
        import django
        from django.apps import apps

        vendor = settings.BASE_DIR / "locales" / "vendor"
        sources = [("django", Path(django.__file__).parent / "conf" / "locale")]
        sources += [
            (config.name, Path(config.path) / "locale")
            for config in apps.get_app_configs()
            if config.name.startswith(VENDOR_PREFIXES)
        ]
        for name, locale_dir in sources:
            locale = locale_dir / "en" / "LC_MESSAGES"
            for template in sorted(locale.glob("*.po")):
                yield self.measure(
                    f"{name} ({template.stem})",
                    "vi",
                    list(self.polib.pofile(str(template))),
                    vendor / name / "vi" / "LC_MESSAGES" / template.name,
                    VENDOR_THRESHOLD,
                    upstream=locale_dir / "vi" / "LC_MESSAGES" / template.name,
                )

    def compile_all(self):
        msgfmt = shutil.which("msgfmt")
        if not msgfmt:
            raise CommandError("msgfmt (Debian package gettext) is needed.")
        for po in sorted((settings.BASE_DIR / "locales").rglob("*.po")):
            result = subprocess.run(  # noqa: S603
                [msgfmt, "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True
            )
            if result.returncode:
                self.failures.append(f"{po.relative_to(settings.BASE_DIR)} does not compile")
                self.stderr.write(result.stderr)
