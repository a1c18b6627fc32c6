"""The public website in a real browser (issue 6, "must show").

A visitor browses home → topic → photo in Vietnamese and in English, switches the
language of a photo page and stays on the same photo, finds "Cần Thơ" by typing
"Can Tho", downloads a photo, plays a video with its subtitles and opens a
publication's PDF; the same without JavaScript. Each page type is photographed at
360 and 1280 px (test-results/public-site/), must not scroll sideways on a phone,
must pass axe-core's WCAG 2.0–2.2 A/AA rules in both languages and must not make a
single request to another origin. Lighthouse scores home, search results and a
photo page.

The tools come from npm (package.json at the repository root, `npm ci`): axe-core is
injected into the page, Lighthouse runs under node against Debian's chromium.

Each test builds the same small published site (tests/e2e/public_fixtures.py): the
live server needs a transactional database, emptied after every test, so there is
one site per test and few tests, each covering a whole path.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext
from PIL import Image
from playwright.sync_api import expect

from cms import published

from .conftest import CHROMIUM, CHROMIUM_ARGS, RESULTS_DIR
from .public_fixtures import HOME_TITLES, SUBTITLE_CUES, make_public_site

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "core" / "index.js"
SCREENSHOTS = RESULTS_DIR / "public-site"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LANGUAGES = ["vi", "en"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
LIGHTHOUSE_CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
LIGHTHOUSE_MIN = 95
# Desktop unless told (test_lighthouse_scores_home_search_and_photo says why).
LIGHTHOUSE_PRESET = os.environ.get("SEN_LIGHTHOUSE_PRESET", "desktop")


def npm_tool(path):
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `npm ci` at the repository root")
    return path


def in_language(language, message, context=None):
    with translation.override(language):
        return pgettext(context, message) if context else gettext(message)


@pytest.fixture
def site(tmp_path, media_dirs, monkeypatch):
    """The published site. The state-secret check (OCR of every photo and PDF page,
    tested in tests/ingest) is skipped: here it would only cost seconds."""
    monkeypatch.setattr("ingest.markings.find_marking", lambda path, kind: None)
    with translation.override("vi"):
        return make_public_site(tmp_path)


def page_types(site, language):
    """{page type: URL} of one language: every kind of page the public sees."""
    return {
        "home": f"/{language}/",
        "browse": f"/{language}/browse/?type=photos",
        "topic": f"/{language}/topics/{site.topic.slug}/",
        "search": f"/{language}/search/?q=Can+Tho",
        "photo": published.public_url(site.photo, language),
        "video": published.public_url(site.video, language),
        "publication": published.public_url(site.publication, language),
    }


class RequestLog:
    """Every request the pages of a browser context make, by URL."""

    def __init__(self, origin):
        self.origin = origin
        self.urls = []

    def watch(self, context):
        context.on("request", lambda request: self.urls.append(request.url))
        return context

    def foreign(self):
        """Requests that leave for another origin. Only the network counts: data: and
        blob: URLs are made in the page, chrome-extension: ones by chromium's own PDF
        viewer."""
        return sorted(
            {
                url
                for url in self.urls
                if urlsplit(url).scheme in ("http", "https", "ws", "wss")
                and "{0.scheme}://{0.netloc}".format(urlsplit(url)) != self.origin
            }
        )


def heading(page):
    return page.locator("main h1")


def card(page, title):
    """The link of the card whose title is exactly `title`."""
    exact = re.compile(f"^{re.escape(title)}$")
    return page.locator(".card__link", has=page.locator(".card__title", has_text=exact))


# --- 1. A visitor's paths ------------------------------------------------------------


def test_a_visitor_browses_switches_language_searches_downloads_plays_and_reads(
    site, page, browser_context, live_server
):
    requests = RequestLog(live_server.url)
    requests.watch(browser_context)
    photo = site.photo

    # Home → topic → photo, in each language.
    for language in LANGUAGES:
        title = getattr(photo, f"title_{language}")
        page.goto(f"/{language}/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(heading(page)).to_have_text(HOME_TITLES[language])
        topic_name = getattr(site.topic, f"name_{language}")
        page.locator("section .chips").get_by_role("link", name=topic_name).click()
        page.wait_for_url(f"**/{language}/topics/{site.topic.slug}/")
        expect(heading(page)).to_have_text(topic_name)
        card(page, title).click()
        page.wait_for_url(re.compile(rf"/{language}/photos/{photo.pk}/[-a-z0-9]+/$"))
        expect(heading(page)).to_have_text(title)

    # The language switcher (a disclosure) keeps the photo: same pk, its title in the
    # new language.
    for language, other in (("en", "vi"), ("vi", "en")):
        page.goto(published.public_url(photo, language))
        switcher = page.locator("details.languages")
        switcher.locator("summary").click()
        # (By hreflang: Django's name for Vietnamese is not NFC: "ê" + U+0301 for "ế".)
        switcher.locator(f'a[hreflang="{other}"]').click()
        page.wait_for_url(re.compile(rf"/{other}/photos/{photo.pk}/[-a-z0-9]+/$"))
        expect(page.locator("html")).to_have_attribute("lang", other)
        expect(heading(page)).to_have_text(getattr(photo, f"title_{other}"))

    # Typing without diacritics finds the photo titled "Cần Thơ".
    page.goto("/vi/")
    form = page.get_by_role("search")
    form.get_by_role("searchbox").fill("Can Tho")
    form.get_by_role("button").click()
    page.wait_for_url("**/vi/search/?q=Can+Tho")
    result = card(page, "Cần Thơ")
    expect(result).to_have_count(1)
    result.click()
    page.wait_for_url(re.compile(rf"/vi/photos/{photo.pk}/"))

    # A permitted size downloads as a JPEG of the size the page states.
    offer = page.locator("section.downloads li", has_text=in_language("vi", "For the web"))
    with page.expect_download() as started:
        offer.get_by_role("link").click()
    download = started.value
    assert download.failure() is None
    assert urlsplit(download.url).path == reverse(
        "sen_download_photo", kwargs={"pk": photo.pk, "size": "web"}
    )
    assert download.suggested_filename.endswith(f"-{photo.pk}-web.jpg")
    with Image.open(download.path()) as jpeg:
        assert jpeg.format == "JPEG"
        expect(offer).to_contain_text(f"{jpeg.width} × {jpeg.height} px")

    # The video plays, with its subtitle tracks.
    page.goto(published.public_url(site.video, "en"))
    video = page.locator("main video")
    played = video.evaluate(
        """async (video) => {
            video.muted = true;
            await video.play();
            const start = video.currentTime;
            await new Promise((resolve) => setTimeout(resolve, 1200));
            return {
                start, now: video.currentTime, paused: video.paused, error: video.error,
                tracks: Array.from(video.textTracks, (t) => ({kind: t.kind, language: t.language, mode: t.mode})),
            };
        }"""
    )
    assert played["error"] is None, played
    assert played["now"] > played["start"] + 0.3, played
    assert {(t["kind"], t["language"]) for t in played["tracks"]} == {
        ("subtitles", code) for code in SUBTITLE_CUES
    }
    # The English track is the default on the English page, and its cue is loaded.
    assert {t["language"]: t["mode"] for t in played["tracks"]}["en"] == "showing"
    page.wait_for_function(
        """([video, text]) => Array.from(video.textTracks).some(
            (t) => t.language === 'en' && t.cues && t.cues.length && t.cues[0].text === text)""",
        arg=[video.element_handle(), SUBTITLE_CUES["en"]],
    )

    # A publication's edition opens: the Read link answers with the PDF.
    page.goto(published.public_url(site.publication, "en"))
    edition = page.locator('li.edition[lang="en"]')
    read = edition.get_by_role("link", name=re.compile("^" + in_language("en", "Read")))
    href = read.get_attribute("href")
    with page.expect_response(lambda response: response.url.endswith(href)) as answered:
        read.click()
    response = answered.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    # chromium shows it in its PDF viewer (the response body Playwright sees is then
    # the viewer's page, not the file): the picture is the proof.
    page.wait_for_url(f"**{href}")
    page.wait_for_load_state("networkidle")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "publication-edition-en.png"))

    assert requests.foreign() == []


# --- 2–4. Every page type: phone and desktop, axe, first-party only ------------------


def axe_violations(page):
    """axe-core's WCAG 2.0/2.1/2.2 A and AA violations of the page, one line each."""
    page.add_script_tag(path=str(npm_tool(AXE)))
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    assert result["passes"], "axe-core ran no rule"
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + "; ".join(
            f"{' '.join(node['target'])} [{node['failureSummary'].replace(chr(10), ' ')}]"
            for node in violation["nodes"][:5]
        )
        for violation in result["violations"]
    ]


def load_every_image(page):
    """Loads the lazy images too, so that the full-page screenshot shows them."""
    page.evaluate(
        """() => Promise.all(Array.from(document.images, (img) => {
            img.loading = "eager";
            return img.decode().catch(() => null);
        }))"""
    )


def test_every_page_type_fits_a_phone_passes_axe_and_stays_on_the_site(
    site, browser_context, live_server
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser = browser_context.browser
    requests = RequestLog(live_server.url)
    contexts = {
        width: requests.watch(
            browser.new_context(
                base_url=live_server.url,
                viewport=viewport,
                is_mobile=width == PHONE["width"],
                has_touch=width == PHONE["width"],
                locale="vi-VN",
                timezone_id="Asia/Ho_Chi_Minh",
            )
        )
        for width, viewport in ((PHONE["width"], PHONE), (DESKTOP["width"], DESKTOP))
    }
    overflowing, violations, seen = [], {}, set()
    try:
        for width, context in contexts.items():
            page = context.new_page()
            for language in LANGUAGES:
                for kind, url in page_types(site, language).items():
                    response = page.goto(url)
                    assert response.status == 200, (url, response.status)
                    load_every_image(page)
                    seen.add(urlsplit(url).path)
                    states = [kind]
                    if kind == "photo":  # and once more with the language menu open
                        states.append("photo-languages")
                    for state in states:
                        if state.endswith("-languages"):
                            page.locator("details.languages summary").click()
                        where = f"{url} at {width} px" + (" (menu open)" if state != kind else "")
                        page.screenshot(
                            path=str(SCREENSHOTS / f"{state}-{language}-{width}.png"),
                            full_page=True,
                        )
                        scroll_width = page.evaluate("document.documentElement.scrollWidth")
                        if scroll_width > width:
                            overflowing.append(f"{where}: {scroll_width} px wide")
                        found = axe_violations(page)
                        if found:
                            violations[where] = found
    finally:
        for context in contexts.values():
            context.close()

    # One failure message that tells every problem, not the first one only.
    problems = []
    if overflowing:
        problems += ["Scrolls sideways:", *overflowing]
    if violations:
        problems.append("axe-core found WCAG A/AA violations:")
        problems += [
            f"{where}:\n    " + "\n    ".join(found) for where, found in violations.items()
        ]
    foreign = requests.foreign()
    if foreign:
        problems += ["Requests to other origins:", *foreign]
    assert not problems, "\n  ".join(problems)
    # The log saw the pages' own files too (style sheet, renditions, posters).
    assert {urlsplit(url).path for url in requests.urls} >= {"/static/cms/site.css", *seen}


# --- 5. Without JavaScript ------------------------------------------------------------


def test_the_site_works_without_javascript(site, browser_context, live_server):
    context = browser_context.browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=DESKTOP, locale="vi-VN"
    )
    try:
        images = []
        context.on(
            "response",
            lambda response: (
                images.append(response.status) if "/files/renditions/" in response.url else None
            ),
        )
        page = context.new_page()
        # Home → browse listing → a photo.
        page.goto("/vi/")
        expect(heading(page)).to_have_text(HOME_TITLES["vi"])
        page.get_by_role("navigation", name=in_language("vi", "Main", "navigation")).get_by_role(
            "link", name=in_language("vi", "Photos"), exact=True
        ).click()
        page.wait_for_url("**/vi/browse/?type=photos")
        expect(page.locator(".card--photos")).to_have_count(len(site.photos))
        card(page, site.photo.title_vi).click()
        page.wait_for_url(re.compile(rf"/vi/photos/{site.photo.pk}/"))
        expect(heading(page)).to_have_text(site.photo.title_vi)
        expect(page.locator("main picture img")).to_be_visible()
        assert images and set(images) == {200}

        # Back to the listing by the breadcrumb: its filters are a plain GET form.
        page.locator("nav.breadcrumbs").get_by_role(
            "link", name=in_language("vi", "Photos"), exact=True
        ).click()
        page.wait_for_url("**/vi/browse/?type=photos")
        filters = page.locator("form.filters")
        filters.locator("#filter-type").select_option("videos")
        filters.locator("#filter-topic").select_option(site.topic.slug)
        filters.get_by_role("button", name=in_language("vi", "Show")).click()
        page.wait_for_url(re.compile(r"/vi/browse/\?(?=.*type=videos)(?=.*topic=tourism)"))
        cards = page.locator(".card")
        expect(cards).to_have_count(1)
        expect(cards.locator(".card__title")).to_have_text(site.video.title_vi)

        # So is the search form.
        page.get_by_role("link", name=in_language("vi", "Search"), exact=True).click()
        page.wait_for_url("**/vi/search/")
        form = page.get_by_role("search")
        form.get_by_role("searchbox").fill("Can Tho")
        form.get_by_role("button").click()
        page.wait_for_url("**/vi/search/?q=Can+Tho")
        card(page, site.photo.title_vi).click()
        page.wait_for_url(re.compile(rf"/vi/photos/{site.photo.pk}/"))

        # The language switcher is a disclosure: no script needed either.
        page.locator("details.languages summary").click()
        page.locator('details.languages a[hreflang="en"]').click()
        page.wait_for_url(re.compile(rf"/en/photos/{site.photo.pk}/"))
        expect(heading(page)).to_have_text(site.photo.title_en)
    finally:
        context.close()


# --- 6. Lighthouse --------------------------------------------------------------------


@pytest.fixture
def devtools_port():
    """A chromium of our own (Debian's, with the suite's flags) for Lighthouse to
    drive over the DevTools protocol; the port is the one chromium picked."""
    profile = Path(tempfile.mkdtemp(prefix="sen-lighthouse-"))
    process = subprocess.Popen(
        [
            CHROMIUM, *CHROMIUM_ARGS, "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0", f"--user-data-dir={profile}", "--no-first-run",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{CHROMIUM} did not open its DevTools port")
            time.sleep(0.1)
        yield int(port_file.read_text().split()[0])
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)


def lighthouse(port, pages):
    """Lighthouse's four category scores (0–100) and the scored audits that lost
    points, for each of `pages` ({name: URL}); the JSON and HTML reports are kept in
    test-results/public-site/lighthouse-<name>.report.*."""
    npm_tool(LIGHTHOUSE)
    subprocess.run(
        [
            shutil.which("node") or "node", str(Path(__file__).with_name("lighthouse.mjs")),
            LIGHTHOUSE_PRESET, str(port), str(SCREENSHOTS),
            *(item for pair in pages.items() for item in pair),
        ],
        check=True,
        timeout=300,
        cwd=ROOT,
    )  # fmt: skip
    results = {}
    for name in pages:
        data = json.loads((SCREENSHOTS / f"lighthouse-{name}.report.json").read_text())
        if error := data.get("runtimeError"):
            pytest.fail(f"Lighthouse could not measure {name}: {error['code']}: {error['message']}")
        categories = data["categories"]
        scores = {c: round(categories[c]["score"] * 100) for c in LIGHTHOUSE_CATEGORIES}
        lost = {
            category: [
                f"{audit['id']} ({audit['score']}): {audit['title']}"
                + (f", {audit['displayValue']}" if audit.get("displayValue") else "")
                for ref in categories[category]["auditRefs"]
                if ref["weight"] > 0
                and (audit := data["audits"][ref["id"]])["score"] is not None
                and audit["score"] < 1
            ]
            for category in LIGHTHOUSE_CATEGORIES
        }
        results[name] = (scores, lost)
    return results


def test_lighthouse_scores_home_search_and_photo(site, live_server, devtools_port, capsys):
    """At least 95 in each category, printed and kept in lighthouse.json.

    Lighthouse's desktop preset: its phone preset simulates a slow 4G network and a
    CPU four times slower than the one it measures, and on this 2-core machine,
    shared with another pytest-xdist worker, the measured CPU time is mostly the
    other worker's load (Total Blocking Time went from 0 to 170 ms between two runs
    of the same page). The phone preset scored 98–100 here; run it with
    SEN_LIGHTHOUSE_PRESET=mobile.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "home": "/vi/",
        "search": "/vi/search/?q=Can+Tho",
        "photo": published.public_url(site.photo, "vi"),
    }
    measured = lighthouse(
        devtools_port, {name: live_server.url + path for name, path in pages.items()}
    )
    results, below = {}, []
    for name, (scores, lost) in measured.items():
        results[name] = {"url": pages[name], **scores}
        for category, score in scores.items():
            if score < LIGHTHOUSE_MIN:
                below.append(f"{name} {category} {score}: " + "; ".join(lost[category]))
    (SCREENSHOTS / "lighthouse.json").write_text(json.dumps(results, indent=2) + "\n")
    with capsys.disabled():
        print(f"\nLighthouse ({LIGHTHOUSE_PRESET} preset), {live_server.url}:")  # noqa: T201
        for name, scores in results.items():
            print(  # noqa: T201
                f"  {name:8} "
                + "  ".join(f"{category} {scores[category]}" for category in LIGHTHOUSE_CATEGORIES)
            )
    assert not below, f"Lighthouse scores below {LIGHTHOUSE_MIN}:\n" + "\n".join(below)
