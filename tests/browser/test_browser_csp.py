"""The built site works under the Content-Security-Policy the README gives hosts that set headers.

The test site is served by a second real HTTP server that sends the policy with every answer.
Chromium loads the home page, an entry, the search page running a query and the tag filter; a
listener for `securitypolicyviolation` events, installed before any page script runs, and the
console's errors must stay empty. A deliberate inline script proves the listener hears them.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading

import pytest

from conftest import SUB_PATH, SiteHandler

POLICY = "default-src 'self'"
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`);
});
"""


class PolicyHandler(SiteHandler):
    """The test site's handler, sending the Content-Security-Policy with every answer."""

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", POLICY)
        super().end_headers()


@pytest.fixture(scope="module")
def strict_origin(site, served_root):
    """A second real HTTP server for the built test site, with the policy; yields its origin."""
    handler = functools.partial(PolicyHandler, directory=str(served_root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="csp-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/{SUB_PATH}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def strict_page(open_context):
    """A page that records policy violations and console errors; yields (page, problems)."""
    context, _ = open_context(color_scheme="light")
    context.add_init_script(LISTEN)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    def problems() -> list[str]:
        return page.evaluate("window.__violations") + errors

    return page, problems


def open_strictly(page, url: str) -> None:
    """Open url and check the answer carried the policy."""
    response = page.goto(url)
    assert response.status == 200, url
    assert response.headers["content-security-policy"] == POLICY


def test_the_home_page_and_an_entry_break_no_rule(strict_page, strict_origin, site):
    page, problems = strict_page
    open_strictly(page, strict_origin)
    page.wait_for_load_state("load")
    assert problems() == []
    entry = site.entries[0]
    open_strictly(page, strict_origin + entry.path)
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text().strip() == entry.title
    assert problems() == []


def test_search_runs_a_query_under_the_policy(strict_page, strict_origin, site):
    page, problems = strict_page
    open_strictly(page, strict_origin + "search/")
    page.locator("#search-options").wait_for()          # search.js ran
    page.locator("#q").fill("quokka")                    # one generated entry's unique word
    (entry,) = [e for e in site.entries if e.word == "quokka"]
    page.locator(f'#search-results a[href$="{entry.path}"]').wait_for()   # the engine ran
    assert problems() == []


def test_the_timeline_filter_works_under_the_policy(strict_page, strict_origin, site):
    page, problems = strict_page
    open_strictly(page, strict_origin)
    page.get_by_role("button", name=re.compile("^Filter ")).click()
    page.select_option("#filter-tag", "russia")
    page.get_by_role("button", name="Add", exact=True).click()
    russia = site.tagged("russia")
    page.locator("#filter-status", has_text=f"{len(russia)} entries with tag “russia”.").wait_for()
    assert problems() == []


def test_a_violation_would_be_heard(strict_page, strict_origin):
    page, problems = strict_page
    open_strictly(page, strict_origin)
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.__ran = true";
        document.head.append(script);
    }""")
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.__ran") is None
    assert any(problem.startswith("script-src") for problem in problems())
