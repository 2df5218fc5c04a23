"""Countries and relations: recognition, settings and errors, the pages and feeds, incremental builds."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from site_builder.build import BuildOptions, build
from site_builder.cache import CACHE_DIR
from site_builder.core import countrydata
from site_builder.core.config import parse_config_text
from site_builder.core.errors import SourceError
from site_builder.model.countries import Recognizer, flag
from site_builder.outputs.folder import list_files
from site_builder.sources.content import parse_entry

from helpers import write_entry
from validators import validate_atom_files, validate_html, validate_sitemap

ATOM = "{http://www.w3.org/2005/Atom}"
SEED = "seeds/000_a8b0fcfbf1680f64.txt"
SEED_PAGE = "2022/12/31/chinas-xi-ready-to-maintain-close-cooperation-with-putin-in-2023/index.html"


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer(countrydata.name_table(), countrydata.country_codes(),
                      {"kremlin": "RU", "White House": "US"})


# --- recognition ----------------------------------------------------------------------------

@pytest.mark.parametrize("tag, codes", [
    ("russia", ("RU",)), ("Russian Federation", ("RU",)), ("россия", ("RU",)),
    ("Россия", ("RU",)), ("китай", ("CN",)), ("china", ("CN",)), ("U.S.", ("US",)),
    ("usa", ("US",)), ("United States", ("US",)), ("uk", ("GB",)), ("U.K.", ("GB",)),
    # CLDR's short names in other languages
    ("Великобритания", ("GB",)), ("США", ("US",)), ("Deutschland", ("DE",)), ("中国", ("CN",)),
    ("Türkiye", ("TR",)), ("georgia", ("GE",)),
    # capitals and big cities, in English and Russian
    ("moscow", ("RU",)), ("Москва", ("RU",)), ("beijing", ("CN",)), ("пекин", ("CN",)),
    ("washington", ("US",)), ("delhi", ("IN",)), ("new delhi", ("IN",)), ("kyiv", ("UA",)),
    # joined tags: every part names a country
    ("russia-china relations", ("RU", "CN")), ("moscow-beijing ties", ("RU", "CN")),
    ("south korea–north korea summit", ("KR", "KP")),
    ("россия-китай", ("RU", "CN")), ("guinea-bissau", ("GW",)),
    ("U.S.-China relations", ("US", "CN")), ("US-China trade war", ("US", "CN")),
    ("RU/UA", ("RU", "UA")),
    # the site's own names
    ("Kremlin", ("RU",)), ("white house", ("US",)),
])
def test_tags_name_countries(recognizer, tag, codes):
    assert recognizer.tag(tag) == codes


@pytest.mark.parametrize("tag", [
    "us", "energy", "bilateral relations", "xi jinping", "putin and xi friendship", "nato",
    "paris agreement", "russian roulette", "al-qaeda", "anti-corruption", "pro-russia",
    "co-operation", "covid-19", "e-commerce", "moscowite", "chinatown", "",
    "us-china", "in-depth", "EU-China",
    "russian-chinese alliance",   # demonyms are not names (a site adds them to countries:)
])
def test_other_tags_name_none(recognizer, tag):
    # whole tags only: a name inside a longer tag is no match, except joined by a dash
    assert recognizer.tag(tag) == ()


@pytest.mark.parametrize("dateline, code", [
    ("BEIJING", "CN"), ("BEIJING (Sputnik)", "CN"), ("МОСКВА", "RU"), ("МОСКВА, 5 марта", "RU"),
    ("WASHINGTON", "US"), ("NEW DELHI - ", "IN"), ("ЛОНДОН (РИА Новости)", "GB"),
    ("EXAMPLE CITY (Example News)", None), ("", None),
])
def test_datelines_name_the_country_of_their_place(recognizer, dateline, code):
    assert recognizer.dateline(dateline) == code


def test_an_entry_involves_its_tags_countries_then_its_datelines(recognizer):
    tags = ["russia", "moscow", "china", "xi jinping", "russia-china relations"]
    assert recognizer.countries(tags, "BEIJING") == ("RU", "CN")
    assert recognizer.countries(["energy"], "WASHINGTON (AP)") == ("US",)
    assert recognizer.countries(["energy"], "") == ()


def test_flags_are_regional_indicator_characters():
    assert flag("RU") == "\U0001F1F7\U0001F1FA" and flag("CN") == "🇨🇳"


def test_the_name_table_is_built_once_per_process():
    assert countrydata.name_table() is countrydata.name_table()


# --- settings and errors --------------------------------------------------------------------

def test_config_reads_country_names_and_the_switch():
    config = parse_config_text("countries: {kremlin: ru, white house: US}\n"
                               "country_recognition: false\nrelation_min: 3\n")
    assert dict(config.countries) == {"kremlin": "RU", "white house": "US"}
    assert (config.country_recognition, config.relation_min) == (False, 3)
    assert parse_config_text("title: x\n").relation_min == 1


@pytest.mark.parametrize("text, line, message", [
    ("title: x\ncountries:\n  kremlin: RU\n  white house: XX\n", 4,
     "unknown country code 'XX' for 'white house'"),
    ("countries:\n  kremlin: RU\n  Kremlin: US\n", 3, "'Kremlin' is mapped to both RU"),
    ("countries:\n  kremlin: RU\n  kremlin: US\n", 3, "'kremlin' is mapped to both RU and 'US'"),
    ("countries:\n  12: RU\n", 2, "country name 12 is not a string"),
    ("countries:\n  kremlin: [RU]\n", 2, "unknown country code"),
    ("countries: [RU]\n", 1, "'countries' must be a mapping"),
    ("relation_min: 0\n", 1, "relation_min must be at least 1"),
])
def test_bad_country_settings_are_located_errors(text, line, message):
    with pytest.raises(SourceError) as caught:
        parse_config_text(text, "sitegen.yaml")
    assert str(caught.value).startswith(f"sitegen.yaml:{line}: ") and message in str(caught.value)


def entry_text(extra: str) -> str:
    return f"---\ntitle: T\ndate: 2023-01-02\ntags: [energy]\n{extra}---\n\nBody.\n"


def test_front_matter_names_countries_by_code():
    entry = parse_entry(entry_text("countries: [ru, CN, RU]\n"), "e.md", tz=countrydata_utc())
    assert entry.countries == ("RU", "CN")


def countrydata_utc():
    import datetime
    return datetime.timezone.utc


@pytest.mark.parametrize("extra, message", [
    ("countries: [RU, XX]\n", "e.md:5: unknown country code 'XX' in 'countries'"),
    ("countries: [RU, 7]\n", "e.md:5: unknown country code 7 in 'countries'"),
    ("countries: RU\n", "e.md:5: 'countries' must be a list of country codes"),
])
def test_bad_front_matter_countries_are_located_errors(extra, message):
    with pytest.raises(SourceError) as caught:
        parse_entry(entry_text(extra), "e.md", tz=countrydata_utc())
    assert str(caught.value).startswith(message)


def test_check_reports_bad_countries_in_config_and_front_matter(tmp_path):
    write_entry(tmp_path, "bad", "2023-01-02", tags=("russia",), extra="countries: [ZZ]\n")
    (tmp_path / "sitegen.yaml").write_text("search: false\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "site_builder", "check", "--site", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "content/2023/01/bad.md:" in done.stderr + done.stdout
    assert "unknown country code 'ZZ'" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    (tmp_path / "sitegen.yaml").write_text("search: false\ncountries:\n  kremlin: SU\n")
    for command in ("check", "build"):
        done = subprocess.run([sys.executable, "-m", "site_builder", command, "--site",
                               str(tmp_path)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 1 and "sitegen.yaml:3: unknown country code 'SU'" in \
            done.stderr + done.stdout, done.stderr
        assert "Traceback" not in done.stderr


# --- the built site -------------------------------------------------------------------------

ENTRIES = [  # slug, day, tags, extra front matter
    ("xi-in-moscow", "2023-03-20", ("china", "moscow", "state visits"), ""),
    ("telegram", "2022-12-31", ("russia", "китай"), "dateline: BEIJING\n"),
    ("gas-deal", "2021-05-04", ("energy", "russia-china relations"), ""),
    ("us-talks", "2021-06-01", ("U.S.", "russia"), "dateline: ЖЕНЕВА\n"),
    ("kremlin-call", "2020-07-08", ("energy",), "dateline: WASHINGTON\n"),
    ("only-tags", "2020-01-02", ("bilateral relations",), ""),
    ("override", "2019-03-04", ("russia", "china"), "countries: [KZ]\n"),
]


def make_site(folder: Path, config: str = "") -> Path:
    for slug, day, tags, extra in ENTRIES:
        write_entry(folder, slug, day, tags=tags, extra=extra)
    (folder / "sitegen.yaml").write_text(f"search: false\npage_size: 2\n{config}", encoding="utf-8")
    build(BuildOptions(folder, jobs=1))
    return folder / "public"


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    return make_site(tmp_path_factory.mktemp("countries") / "site",
                     "countries: {white house: US}\n")


def links(html: str, css_class: str | None = None) -> list[tuple[str, str]]:
    """Return (href, text) of the links in html, tags stripped from the text."""
    return [(href, re.sub(r"<[^>]+>", "", text).strip())
            for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', html, re.S)]


def main(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    return text[text.index("<main"):text.index("</main>")]


def test_the_country_index_lists_every_country_by_name_and_by_count_on_its_own_page(public):
    by_name = main(public / "countries/index.html")
    by_count = main(public / "countries/by-count.html")
    expected = [("/countries/ru/", "🇷🇺 Russia"), ("/countries/cn/", "🇨🇳 China"),
                ("/countries/us/", "🇺🇸 United States"), ("/countries/kz/", "🇰🇿 Kazakhstan")]
    assert [l for l in links(by_count) if re.fullmatch(r"/countries/[a-z]{2}/", l[0])] == expected
    assert [l for l in links(by_name) if re.fullmatch(r"/countries/[a-z]{2}/", l[0])] == sorted(
        expected, key=lambda l: l[1].split(" ", 1)[1])
    counts = re.findall(r'<span class="count">(\d+)<', by_count)
    assert counts == ["4", "3", "2", "1"]
    assert '<a href="/countries/by-count.html">By number of entries</a>' in by_name
    assert '<a href="/countries/">By name</a>' in by_count
    # Only the page by name has letter jumps; both have the find box.
    assert [l for l in links(by_name) if l[0].startswith("#letter-")] == [
        ("#letter-c", "C"), ("#letter-k", "K"), ("#letter-r", "R"), ("#letter-u", "U")]
    assert "letter-jumps" not in by_count
    assert "Find a country" in by_name and "Find a country" in by_count


def test_a_country_page_is_a_paginated_timeline_with_overview_partners_and_feed(public):
    first = main(public / "countries/ru/index.html")
    assert "4 entries involving Russia" in first and 'class="ov-months"' in first
    assert [l for l in links(first) if re.fullmatch(r"/\d{4}/\d\d/\d\d/[^/]+/", l[0])] == [
        ("/2023/03/20/xi-in-moscow/", "Xi In Moscow"), ("/2022/12/31/telegram/", "Telegram")]
    partners = first[first.index("partners-heading"):]
    assert links(partners)[:2] == [("/relations/cn-ru/", "🇨🇳 China"),
                                   ("/relations/ru-us/", "🇺🇸 United States")]
    assert "Page 1 of 2" in first and 'href="/countries/ru/page/2/"' in first
    second = main(public / "countries/ru/page/2/index.html")
    assert "/2021/06/01/us-talks/" in second and "/2021/05/04/gas-deal/" in second
    assert "partners-heading" not in second and "ov-months" not in second
    assert '<a href="/countries/ru/page/2/#y2021" data-year="2021">' in second   # the year jump
    feed = ET.parse(public / "countries/ru/feed.xml").getroot()
    assert feed.find(f"{ATOM}title").text.endswith(": Russia")
    assert [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")] == [
        "Xi In Moscow", "Telegram", "Us Talks", "Gas Deal"]


def test_the_relation_index_lists_pairs_by_count(public):
    html = main(public / "relations/index.html")
    assert [l for l in links(html) if l[0].startswith("/relations/")] == [
        ("/relations/cn-ru/", "🇨🇳🇷🇺 China – Russia"),
        ("/relations/ru-us/", "🇷🇺🇺🇸 Russia – United States")]
    assert re.findall(r'<span class="count">(\d+)<', html) == ["3", "1"]


def test_a_relation_page_counts_the_entries_involving_both_per_year(public):
    html = main(public / "relations/cn-ru/index.html")
    assert "3 entries involving" in html
    # each year leads to the pair's own page holding it, at the year's heading
    assert re.findall(r'<a href="([^"]+)" data-year="(\d+)"[^>]*>\d+ <span class="ov-n">(\d+)<',
                      html) == [("/relations/cn-ru/#y2023", "2023", "1"),
                                ("/relations/cn-ru/#y2022", "2022", "1"),
                                ("/relations/cn-ru/page/2/#y2021", "2021", "1")]
    assert "Page 1 of 2" in html
    assert "/2021/05/04/gas-deal/" in main(public / "relations/cn-ru/page/2/index.html")
    feed = ET.parse(public / "relations/cn-ru/feed.xml").getroot()
    assert feed.find(f"{ATOM}title").text.endswith(": China – Russia")
    assert len(feed.findall(f"{ATOM}entry")) == 3


def test_the_search_index_lists_each_country_by_its_shown_name(tmp_path):
    public = make_site(tmp_path / "site", "countries: {white house: US}\n")
    (tmp_path / "site" / "sitegen.yaml").write_text("countries: {white house: US}\n")
    build(BuildOptions(tmp_path / "site", jobs=1))
    bundle = public / "searchindex"
    root = json.loads((bundle / "index.json").read_text(encoding="utf-8"))
    values = json.loads((bundle / root["facets"]["country"]).read_text(encoding="utf-8"))["values"]
    telegram = next(n for n in range(root["docs"]) if json.loads(
        (bundle / root["epoch"] / f"{n}.json").read_text(encoding="utf-8"))["url"]
        == "/2022/12/31/telegram/")
    for name in ("Russia", "China"):
        numbers = [sum(values[name][:i + 1]) for i in range(len(values[name]))]
        assert telegram in numbers, name


def test_entry_pages_link_their_countries_and_relations_and_keep_their_tags(public):
    html = main(public / "2022/12/31/telegram/index.html")
    assert ('/countries/ru/', '🇷🇺 Russia') in links(html)
    assert ('/countries/cn/', '🇨🇳 China') in links(html)
    assert ('/relations/cn-ru/', 'China – Russia') in links(html)
    assert ('/tags/russia/', 'russia') in links(html)      # a tag naming a country stays a tag
    assert "pagefind" not in html
    # front matter replaces what was recognised; the site's own names count
    override = main(public / "2019/03/04/override/index.html")
    assert "/countries/kz/" in override and "/countries/ru/" not in override
    assert "/countries/us/" in main(public / "2020/07/08/kremlin-call/index.html")
    assert "entry-countries" not in main(public / "2020/01/02/only-tags/index.html")


def test_timeline_json_groups_by_the_first_country(public):
    events = {e["unique_id"]: e.get("group")
              for e in json.loads((public / "timeline.json").read_text())["events"]}
    assert events["telegram"] == "Russia" and events["xi-in-moscow"] == "China"
    assert events["only-tags"] == "bilateral relations"


def test_the_sitemap_lists_the_new_pages(public):
    sitemap = (public / "sitemap.xml").read_text()
    for path in ("countries/", "countries/ru/", "countries/ru/page/2/", "relations/",
                 "relations/cn-ru/", "relations/ru-us/"):
        assert f"<loc>http://localhost:8000/{path}</loc>" in sitemap


def test_navigation_links_countries_and_relations(public):
    for page in ("index.html", "404.html", "tags/index.html"):
        html = (public / page).read_text()
        assert 'href="/countries/"' in html and 'href="/relations/"' in html


def test_relation_min_decides_which_pairs_have_pages(tmp_path):
    public = make_site(tmp_path / "site", "relation_min: 2\n")
    assert (public / "relations/cn-ru/index.html").is_file()
    assert not (public / "relations/ru-us").exists()
    assert "1 more pair share" in main(public / "relations/index.html")
    assert "/relations/ru-us/" not in main(public / "2021/06/01/us-talks/index.html")


def test_recognition_can_be_switched_off(tmp_path):
    public = make_site(tmp_path / "site", "country_recognition: false\n")
    assert [p.name for p in (public / "countries").iterdir() if p.is_dir()] == ["kz"]
    assert "No pair of countries" in main(public / "relations/index.html")


def test_the_seed_article_gets_its_russia_china_relation_page(tmp_path, repo_root):
    (tmp_path / "seeds").mkdir()
    shutil.copy(repo_root / SEED, tmp_path / "seeds")
    (tmp_path / "sitegen.yaml").write_text("search: false\n")
    build(BuildOptions(tmp_path, jobs=1))
    public = tmp_path / "public"
    assert "1 entry involving" in main(public / "relations/cn-ru/index.html")
    assert "/relations/cn-ru/" in main(public / SEED_PAGE)


def test_the_new_page_kinds_pass_the_validators(public):
    pages = [public / p for p in ("countries/index.html", "countries/ru/index.html",
                                  "countries/ru/page/2/index.html", "relations/index.html",
                                  "relations/cn-ru/index.html", "2022/12/31/telegram/index.html")]
    assert validate_html(pages) == []
    assert validate_atom_files([public / "countries/ru/feed.xml",
                                public / "relations/cn-ru/feed.xml"]) == []
    assert validate_sitemap(public / "sitemap.xml") == []


# --- incremental builds ---------------------------------------------------------------------

def tree(root: Path) -> dict[str, bytes]:
    return {rel: path.read_bytes() for rel, path in list_files(root).items()}


def test_adding_a_country_updates_exactly_its_pages_and_equals_a_clean_build(tmp_path):
    site = tmp_path / "site"
    public = make_site(site)
    before = tree(public)
    entry = site / "content/2020/01/only-tags.md"
    entry.write_text(entry.read_text().replace("tags:", "countries: [RU]\ntags:"))
    report = build(BuildOptions(site, jobs=1))
    after = tree(public)
    changed = {rel for rel in after.keys() | before.keys() if before.get(rel) != after.get(rel)}
    assert changed == {
        "2020/01/02/only-tags/index.html",            # links Russia
        "countries/index.html",                       # Russia's count
        "countries/by-count.html",                    # and in the other order
        "countries/ru/index.html", "countries/ru/page/2/index.html",
        "countries/ru/page/3/index.html",             # a new page of Russia's timeline
        "countries/ru/feed.xml", "sitemap.xml",
        "timeline.json",                              # grouped by Russia now
        "filter/index.json",                          # the entry joins the country facet's RU
    }
    assert report.write.written + report.write.removed == len(changed)
    copy = tmp_path / "clean"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("public", CACHE_DIR))
    build(BuildOptions(copy, jobs=1))
    assert tree(copy / "public") == after
