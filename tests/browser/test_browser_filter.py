"""The tag filter on the home and tag timelines: chips, several tags narrowing, shareable URLs."""

from __future__ import annotations

import re

FILTER_INPUT = "#tag-filter-input"
STATUS = "#tag-filter-status"


def shown_paths(page, site) -> set[str]:
    """Return the URL paths (below the site root) of the entries the filter shows."""
    hrefs = page.eval_on_selector_all("#filter-results .tl-list > li > a", "links => links.map(a => a.href)")
    return {h.removeprefix(site.url()) for h in hrefs}


def add_tag(page, name: str) -> None:
    """Type a tag name into the filter and press Enter."""
    page.locator(FILTER_INPUT).fill(name)
    page.locator(FILTER_INPUT).press("Enter")


def test_two_tags_narrow_the_whole_timeline_not_just_one_page(page, site):
    page.goto(site.url())
    assert page.locator("#tag-filter").is_visible()
    add_tag(page, "russia")
    page.locator("#tag-filter-chips button", has_text="russia").wait_for()
    russia = site.tagged("russia")
    page.locator(STATUS, has_text=f"{len(russia)} entries tagged “russia”").wait_for()
    assert shown_paths(page, site) == russia
    assert not page.locator("#listing").is_visible()

    add_tag(page, "China")                       # names match whatever their case
    both = site.tagged("russia", "china")
    assert 1 < len(both) < len(russia)
    page.locator(STATUS, has_text=f"{len(both)} entries tagged “russia” and “china”").wait_for()
    assert shown_paths(page, site) == both
    assert page.url == site.url("?tags=russia,china")
    dates = page.eval_on_selector_all("#filter-results time", "t => t.map(e => e.dateTime)")
    assert dates == sorted(dates, reverse=True)  # newest first, like the timeline
    assert page.locator("#filter-results h2.tl-year-heading").count() >= 2


def test_the_filter_state_is_in_the_url_and_can_be_shared(page, site):
    page.goto(site.url("?tags=russia,china"))
    both = site.tagged("russia", "china")
    page.locator(STATUS, has_text=f"{len(both)} entries").wait_for()
    assert shown_paths(page, site) == both
    chips = page.eval_on_selector_all("#tag-filter-chips button", "b => b.map(e => e.dataset.slug)")
    assert chips == ["russia", "china"]

    page.get_by_role("button", name="Remove tag russia").click()
    china = site.tagged("china")
    page.locator(STATUS, has_text=f"{len(china)} entries tagged “china”.").wait_for()
    assert page.url == site.url("?tags=china")
    assert shown_paths(page, site) == china

    page.go_back()                               # the previous choice comes back
    page.locator(STATUS, has_text=f"{len(both)} entries").wait_for()

    page.get_by_role("button", name="Clear tags").click()
    assert page.locator("#listing").is_visible()
    assert not page.locator("#filter-results").is_visible()
    assert page.url == site.url()


def test_a_tag_page_narrows_its_own_tag(page, site):
    page.goto(site.url("tags/united-nations/"))
    assert page.get_by_text("Narrow to entries also tagged").is_visible()
    add_tag(page, "sanctions")
    expected = site.tagged("united nations", "sanctions")
    page.locator(STATUS, has_text=re.compile(
        rf"^{len(expected)} entr(y|ies) tagged “united nations” and “sanctions”")).wait_for()
    assert shown_paths(page, site) == expected
    assert page.url == site.url("tags/united-nations/?tags=sanctions")


def test_an_unknown_tag_is_said_so(page, site):
    page.goto(site.url())
    add_tag(page, "atlantis")
    page.locator(STATUS, has_text="No tag is called “atlantis”.").wait_for()
    assert page.locator("#listing").is_visible()


def test_the_index_loads_only_when_the_filter_is_used(open_context, site):
    context, requests = open_context()
    page = context.new_page()
    page.goto(site.url())
    page.wait_for_load_state("networkidle")
    assert not any(u.endswith("filter.json") for u in requests.urls)
    page.locator(FILTER_INPUT).focus()
    page.wait_for_load_state("networkidle")
    page.wait_for_function("document.querySelectorAll('#tag-filter-names option').length > 5")
    assert [u for u in requests.urls if u.endswith("filter.json")] == [site.url("filter.json")]


def test_prototype_keys_are_unknown_tags_not_errors(page, site):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for key in ("__proto__", "toString"):
        page.goto(site.url(f"?tags={key}"))
        page.locator(STATUS, has_text=f"0 entries tagged “{key}” (no such tag: {key}).").wait_for()
        assert not page.locator("#listing").is_visible()
    for key in ("constructor", "hasOwnProperty", "__proto__"):
        add_tag(page, key)
        page.locator(STATUS, has_text=f"No tag is called “{key}”.").wait_for()
    add_tag(page, "russia")                      # the filter still works afterwards
    page.locator(STATUS, has_text=re.compile(r"^0 entries tagged “toString” and “russia”")).wait_for()
    assert errors == []
