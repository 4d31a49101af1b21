"""A new visitor, in a real headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright; no browser is downloaded). Screenshots of each page at desktop and phone widths go
to $ARCHIVE_DATA_DIR/screenshots/ (var/screenshots/ with make test)."""

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from statements.models import Quote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SCREENSHOTS = Path(os.environ.get("ARCHIVE_DATA_DIR") or settings.BASE_DIR / "var") / "screenshots"


@pytest.fixture(autouse=True, scope="module")
def sync_orm_beside_playwright():
    # Playwright's sync API runs an event loop in this thread; the ORM calls in these tests
    # (and the database flushes between them) are ordinary synchronous code, not async views.
    # Set for this module only, so nothing else (the deploy check) sees it.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: make test installs it (make browser-deps)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def archive(live_server, search_index):
    call_command("load_seed", verbosity=0)
    search_index()
    return live_server.url


def shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(VIEWPORTS["desktop"])


def test_visitor_searches_reads_in_context_and_follows_blinken(browser, archive):
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    page.goto(archive + "/")
    assert page.title() == "Statements Archive — what diplomats said"
    shoot(page, "home")

    page.get_by_role("searchbox").fill("coercion")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=coercion")
    assert page.locator(".result-count").inner_text() == "2 quotes for coercion"
    first = page.locator(".search-result").first
    assert first.locator("mark").first.inner_text().lower() == "coercion"
    shoot(page, "search")

    first.get_by_role("link", name="Permalink").click()
    page.wait_for_url("**/quotes/*/")
    quote = Quote.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))
    assert quote.speaker.name == "Antony Blinken"
    assert page.locator(".quote-hero").inner_text() == quote.text
    assert "Antony Blinken" in page.locator("#citation-text").inner_text()
    shoot(page, "quote")

    page.locator("a.in-context").click()
    page.wait_for_url(f"**/articles/{quote.article.slug}/#quote-{quote.pk}")
    marked = page.locator(f"#quote-{quote.pk}")
    assert marked.inner_text() == quote.text
    assert marked.evaluate("element => element.matches(':target')")
    assert marked.is_visible()
    box = marked.bounding_box()
    assert 0 <= box["y"] < VIEWPORTS["desktop"]["height"]  # scrolled to the quote
    shoot(page, "article")

    page.get_by_role("link", name="Antony Blinken").first.click()
    page.wait_for_url("**/speakers/antony-blinken/")
    timeline = page.get_by_role("img", name="Quotes per month: Antony Blinken")
    assert timeline.is_visible()
    assert timeline.bounding_box()["height"] > 50
    assert page.locator(".quote-card").count() == 12
    shoot(page, "speaker")

    feed_link = page.get_by_role("link", name="Atom feed of Antony Blinken’s quotes")
    feed = page.request.get(archive + feed_link.get_attribute("href"))
    assert feed.ok
    entries = ET.fromstring(feed.body()).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 12

    page.get_by_label("Email me new quotes of this speaker").fill("reader@example.org")
    page.get_by_role("button", name="Subscribe").click()
    assert "we sent a confirmation link to reader@example.org" in page.locator(".confirm-sent").inner_text()
    page.close()


def test_pages_read_well_on_a_phone(browser, archive):
    page = browser.new_page(viewport=VIEWPORTS["phone"])
    for path in ("/", "/topics/china/", "/speakers/", "/search/?q=allies"):
        page.goto(archive + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS["phone"]["width"], f"{path} scrolls sideways on a phone ({width}px)"
    page.goto(archive + "/topics/china/")
    shoot(page, "topic")
    page.goto(archive + f"/statements/{Quote.objects.get(text__startswith='There is no doubt').statement_id}/")
    assert page.locator("del").first.is_visible() and page.locator("ins").first.is_visible()
    shoot(page, "statement")
    page.close()


def test_hostile_search_is_harmless_in_the_browser(browser, archive):
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(archive + "/search/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22((((")
    assert page.locator(".notices").is_visible()
    assert dialogs == []
    page.close()


def test_a_long_speaker_facet_opens_its_more_values_and_filters_by_one(browser, live_server, search_index):
    from tests.factories import make_article, make_quote, make_speaker

    for number in range(12):
        speaker = make_speaker(f"Envoy {number:02}")
        for day in range(12 - number):  # Envoy 00 said it most often, Envoy 11 least
            make_quote(make_article(f"Day {day}. “Sanctions will follow,” said {speaker.name}."), "Sanctions will follow", speaker=speaker)
    search_index()
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    page.goto(live_server.url + "/search/?q=sanctions")
    facet = page.locator(".facets section", has=page.get_by_role("heading", name="Speaker"))
    assert facet.get_by_role("link").filter(visible=True).count() == 8
    least = facet.get_by_role("link", name="Envoy 11")
    assert not least.is_visible()
    facet.get_by_text("More speakers").click()
    assert least.is_visible()
    shoot(page, "search-more-speakers")
    least.click()
    page.wait_for_url("**/search/?q=sanctions&speaker=envoy-11")
    assert page.locator(".result-count").inner_text() == "1 quote for sanctions"
    page.close()
