"""Browser tests: Playwright's sync API driving Debian's chromium (never a browser
that `playwright install` downloads) against pytest-django's live server.

Every test in this folder is marked `e2e` (so `make test-fast` leaves them out) and
gets a fresh chromium with its own temporary profile.

The live server needs a transactional database, which is emptied after each test;
every test here is therefore also marked
`django_db(transaction=True, serialized_rollback=True)`, so that the rows the
migrations made (root collection, licences, the root page, ...) are put back
before each test (tests/conftest.py explains why every transactional test needs it).
"""

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Where screenshots go (gitignored); CI may keep it as an artefact.
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
CALL_REPORT = pytest.StashKey()


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)
            if item.get_closest_marker("django_db") is None:
                item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture
def browser_locale():
    """The browser's language (Accept-Language). English, as many editors' browsers
    are: the admin must speak Vietnamese anyway. Override in a module to change it."""
    return "en-US"


@pytest.fixture
def browser_context(live_server, browser_locale):
    """A headless chromium with a fresh profile; relative URLs
    (`page.goto("/admin/")`) go to the live server.

    Function-scoped on purpose: Playwright's event loop only exists while a browser
    test runs, and no cookie or storage leaks from one test into the next.
    """
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `make install-test` installs Debian's chromium")
    profile = tempfile.mkdtemp(prefix="sen-chromium-")
    try:
        with sync_playwright() as playwright:
            # The profile goes in through Playwright's persistent context: it refuses
            # a --user-data-dir in `args`, and passes this one to chromium as that flag.
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                locale=browser_locale,
                timezone_id="Asia/Ho_Chi_Minh",
                viewport={"width": 1280, "height": 900},
                base_url=live_server.url,
            )
            context.set_default_timeout(15_000)
            context.set_default_navigation_timeout(30_000)
            try:
                yield context
            finally:
                context.close()
                close_connections_opened_under_playwright()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def close_connections_opened_under_playwright():
    """While Playwright's event loop runs, asgiref gives this thread a second set of
    Django database connections (context-local, as in async code): the ORM calls of
    a browser test use those. Django's test teardown, after Playwright has stopped,
    only closes the usual ones; close these here, or on PostgreSQL the test
    database cannot be dropped at the end ("being accessed by other users")."""
    from django.db import connections

    connections.close_all()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[CALL_REPORT] = report
    return report


@pytest.fixture
def page(request, browser_context):
    """The browser's one tab. When the test fails, what it showed last is saved as
    test-results/<test name>-failed.png."""
    page = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    yield page
    report = request.node.stash.get(CALL_REPORT, None)
    if report is not None and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "-", request.node.name)
        page.screenshot(path=str(RESULTS_DIR / f"{name}-failed.png"), full_page=True)


@pytest.fixture
def results_dir():
    """test-results/ at the repository root (gitignored): screenshots."""
    RESULTS_DIR.mkdir(exist_ok=True)
    return RESULTS_DIR


@pytest.fixture
def admin_login(page):
    """Signs a user in through the admin's own login form."""

    def login(username, password):
        page.goto("/admin/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.locator("form button[type=submit]").click()
        page.wait_for_url("**/admin/")
        return page

    return login


@pytest.fixture
def new_page(request, browser_context, browser_locale, live_server):
    """Opens a tab in a new browser context of the same chromium: no cookies, no
    storage, as another person's browser (a reviewer, an anonymous visitor). Each
    call makes its own context; all are closed after the test. When the test fails,
    each tab's last view is saved as test-results/<test name>-<n>-failed.png."""
    browser = browser_context.browser
    if browser is None:
        pytest.fail("the persistent chromium context has no browser to open contexts in")
    pages = []

    def open_page():
        context = browser.new_context(
            locale=browser_locale,
            timezone_id="Asia/Ho_Chi_Minh",
            viewport={"width": 1280, "height": 900},
            base_url=live_server.url,
        )
        context.set_default_timeout(15_000)
        context.set_default_navigation_timeout(30_000)
        pages.append(context.new_page())
        return pages[-1]

    yield open_page
    report = request.node.stash.get(CALL_REPORT, None)
    for number, page in enumerate(pages, start=2):
        if report is not None and report.failed and not page.is_closed():
            RESULTS_DIR.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "-", request.node.name)
            page.screenshot(path=str(RESULTS_DIR / f"{name}-{number}-failed.png"), full_page=True)
        page.context.close()
