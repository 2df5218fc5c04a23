"""An entry page's meta description comes from the entry's own words, cut short at a word."""

from site_builder.core.config import Config
from site_builder.outputs.descriptions import DESCRIPTION_LIMIT, entry_description, shorten
from site_builder.outputs.plan import build_plan
from site_builder.outputs.render import make_environment, render_page, site_view
from site_builder.model.site import build_site

from helpers import make_entry

LONG = ("Chinese President Xi Jinping, in a New Year telegram to Russian President Vladimir "
        "Putin, said that the two countries had deepened their comprehensive strategic "
        "partnership of coordination over the past year.")


def test_the_lead_comes_first_then_the_summary_then_the_body():
    body = "<p>The body&#x27;s <em>first</em> words.</p><p>More.</p>"
    assert entry_description(make_entry("a", "2022-12-31", lead="Lead.", summary="Sum.",
                                        body_html=body)) == "Lead."
    assert entry_description(make_entry("a", "2022-12-31", summary="Sum.", body_html=body)) == "Sum."
    assert entry_description(make_entry("a", "2022-12-31", body_html=body)) == "The body's first words."
    assert entry_description(make_entry("a", "2022-12-31")) == ""


def test_a_long_lead_is_cut_at_a_word_within_the_limit():
    text = entry_description(make_entry("a", "2022-12-31", lead=LONG))
    assert len(LONG) > DESCRIPTION_LIMIT >= len(text) and text.endswith("…")
    assert LONG.startswith(text[:-1]) and LONG[len(text) - 1] == " "     # a whole word
    assert text == LONG[:len(text) - 1] + "…"


def test_no_markup_and_no_runs_of_white_space():
    entry = make_entry("a", "2022-12-31", lead="<b>Talks</b>   went\n\twell.")
    assert entry_description(entry) == "Talks went well."


def test_a_word_longer_than_the_limit_is_cut_inside_it():
    assert shorten("x" * 200, 20) == "x" * 19 + "…"
    assert shorten("short", 20) == "short"


def test_the_entry_page_describes_itself_and_other_pages_the_site():
    config = Config(title="Desk", description="A chronology of diplomacy.")
    site = build_site([make_entry("telegram", "2022-12-31", lead=LONG),
                       make_entry("bare", "2022-12-30")], config)
    env = make_environment(None)
    env.globals["site"] = site_view(config, {"style.css": "/static/style.css",
                                             "filter.js": "/static/filter.js",
                                             "overview.js": "/static/overview.js"}, [])
    wanted = {"index.html", "2022/12/31/telegram/index.html", "2022/12/30/bare/index.html"}
    pages = {o.path: render_page(env, o.template, o.view).decode()
             for o in build_plan(site, config) if o.path in wanted}
    cut = entry_description(make_entry("telegram", "2022-12-31", lead=LONG))
    entry = pages["2022/12/31/telegram/index.html"]
    assert f'<meta name="description" content="{cut}">' in entry
    assert f'<meta property="og:description" content="{cut}">' in entry
    home = pages["index.html"]
    assert '<meta name="description" content="A chronology of diplomacy.">' in home
    assert '<meta property="og:description" content="A chronology of diplomacy.">' in home
    # An entry with no words of its own falls back to the site's description.
    bare = pages["2022/12/30/bare/index.html"]
    assert '<meta name="description" content="A chronology of diplomacy.">' in bare
