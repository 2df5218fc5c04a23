"""Events: reports of one event are grouped by near-duplicate text a day apart at most, or by
hand; loose matches do not chain; the groups do not depend on the order of the files."""

import dataclasses
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.build import BuildOptions, build
from site_builder.core.config import parse_config
from site_builder.core.errors import BuildFailed
from site_builder.core.sourcenames import source_name
from site_builder.model.events import WordCodes, group_events, link_problems
from site_builder.model.site import build_site
from site_builder.outputs.folder import list_files

from helpers import make_entry

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import generate  # noqa: E402

# Three agencies' reports of one signing, in their own words, the last a day later.
SIGNING = {
    "tass": ("2023-03-21", "TASS", "https://tass.com/politics/1", "Russia and China sign joint statement on strategic partnership",
             "Russian President Vladimir Putin and Chinese President Xi Jinping signed a joint statement on deepening comprehensive partnership in Moscow on Tuesday.",
             "MOSCOW, March 21 (TASS) - The leaders of Russia and China signed a joint statement on deepening the comprehensive partnership and strategic interaction entering a new era, the Kremlin press service reported."),
    "sputnik": ("2023-03-21", "Sputnik", "https://sputniknews.com/20230321/1", "Putin and Xi sign joint statement on comprehensive partnership",
                "Russian President Vladimir Putin and Chinese President Xi Jinping have signed a joint statement on deepening comprehensive partnership in Moscow.",
                "MOSCOW (Sputnik) - The leaders of Russia and China have signed a joint statement on deepening comprehensive partnership and strategic interaction entering a new era, the Kremlin said."),
    "xinhua": ("2023-03-22", "Xinhua", "https://english.news.cn/20230322/1", "Xi, Putin sign joint statement on deepening partnership",
               "Chinese President Xi Jinping and Russian President Vladimir Putin signed a joint statement on deepening the comprehensive strategic partnership in Moscow.",
               "MOSCOW, March 22 (Xinhua) - Chinese President Xi Jinping and Russian President Vladimir Putin signed a joint statement on deepening the comprehensive partnership of coordination for a new era."),
}
# Another event of the same day, in the same vocabulary.
GRAIN = ("2023-03-21", "TASS", "https://tass.com/economy/2", "Russia and China discuss grain exports at ministerial meeting",
         "Russian and Chinese agriculture ministers discussed grain exports and food security at a meeting in Beijing on Tuesday.",
         "BEIJING (TASS) - The agriculture ministers of Russia and China discussed grain exports, fertiliser supplies and food security, the ministry said in a statement.")
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
         "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu", "amber",
         "basil"]


def report(slug, fields, **params):
    day, _, url, title, lead, paragraph = fields
    return make_entry(slug, day, title=title, lead=lead, body_html=f"<p>{paragraph}</p>",
                      source_url=url, params=params)


def signing(**params_of):
    return [report(slug, fields, **params_of.get(slug, {})) for slug, fields in SIGNING.items()]


def slugs(groups):
    return [[path.rsplit("/", 1)[1].removesuffix(".md") for path in group] for group in groups]


def test_three_agencies_reports_of_one_signing_are_one_event_the_earliest_first():
    groups, _ = group_events(signing())
    assert slugs(groups) == [["sputnik", "tass", "xinhua"]]


def test_two_same_day_articles_about_different_events_stay_apart():
    entries = signing() + [report("grain", GRAIN)]
    groups, _ = group_events(entries)
    assert slugs(groups) == [["sputnik", "tass", "xinhua"]]
    assert slugs(group_events([entries[0], entries[-1]])[0]) == []


def test_reports_more_than_a_day_apart_are_not_one_event():
    far = [report(slug, ("2023-03-24", *fields[1:]) if slug == "xinhua" else fields)
           for slug, fields in SIGNING.items()]
    assert slugs(group_events(far)[0]) == [["sputnik", "tass"]]


def test_event_dates_not_publication_days_decide_which_reports_are_a_day_apart():
    from site_builder.core.eventdates import parse_event_date
    # Xinhua published three days later about the same signing (its event_date says so): one
    # event. TASS published on the signing's day a report dated by an event two days before:
    # kept apart, as reports more than a day apart are.
    late = [report(slug, ("2023-03-24", *fields[1:]) if slug == "xinhua" else fields)
            for slug, fields in SIGNING.items()]
    late = [dataclasses.replace(e, event=parse_event_date("2023-03-21"))
            if e.slug == "xinhua" else e for e in late]
    assert slugs(group_events(late)[0]) == [["sputnik", "tass", "xinhua"]]
    early = [dataclasses.replace(e, event=parse_event_date("2023-03-19"))
             if e.slug == "tass" else e for e in signing()]
    assert slugs(group_events(early)[0]) == [["sputnik", "xinhua"]]


def test_an_interval_groups_by_its_start_and_a_month_or_year_by_its_first_day():
    from site_builder.core.eventdates import parse_event_date

    def dated(values):
        return [dataclasses.replace(e, event=parse_event_date(values[e.slug]))
                if e.slug in values else e for e in signing()]
    # Sputnik's visit of 20-22 March starts a day before TASS's 21 March: one event, which
    # starts with the interval (earliest start), whatever the publication days.
    interval = dated({"sputnik": "2023-03-20/2023-03-22", "xinhua": "2023-03-21"})
    assert slugs(group_events(interval)[0]) == [["sputnik", "tass", "xinhua"]]
    # An interval starting two days before the others' day is kept apart, though it spans them.
    assert slugs(group_events(dated({"sputnik": "2023-03-19/2023-03-22"}))[0]) == \
        [["tass", "xinhua"]]
    # A month or a year starts on its first day: only reports of that day or the next join it.
    assert slugs(group_events(dated({"sputnik": "2023-03"}))[0]) == [["tass", "xinhua"]]
    assert slugs(group_events(dated({"sputnik": "2023-03", "tass": "2023-03-02",
                                     "xinhua": "2023"}))[0]) == [["sputnik", "tass"]]


def test_the_timeline_shows_an_interval_event_at_its_start_with_its_span(tmp_path):
    site = tmp_path / "site"
    write_report(site, "tass", SIGNING["tass"])
    write_report(site, "sputnik", SIGNING["sputnik"], "event_date: 2023-03-20/2023-03-22\n")
    write_report(site, "xinhua", SIGNING["xinhua"], "event_date: 2023-03\n")
    (site / "sitegen.yaml").write_text("title: Events\nsearch: false\n", encoding="utf-8")
    build(BuildOptions(site, jobs=1))
    home = page(site, "")
    assert '<span id="listing-count">2 events from 3 reports</span>.' in home
    item = home[home.rindex("<li>", 0, home.index('/sputnik/">Putin and Xi')):].split("</li>")[0]
    assert item.startswith('<li><time datetime="2023-03-20">20–22 March 2023</time>')
    assert "2 reports: " in item and ">TASS</a>" in item and "Xinhua" not in item
    assert "Also reported by" in page(site, "2023/03/21/tass")
    assert "Also reported by" not in page(site, "2023/03/22/xinhua")


@pytest.mark.parametrize("seed", range(20))
def test_the_score_is_the_dice_coefficient_of_the_word_sets(seed):
    from rapidfuzz import fuzz
    rng = random.Random(seed)
    a, b = set(rng.sample(WORDS, rng.randint(8, 20))), set(rng.sample(WORDS, rng.randint(8, 20)))
    encode = WordCodes()
    score = fuzz.ratio(encode("a", " ".join(sorted(a))), encode("b", " ".join(sorted(b))))
    assert score == pytest.approx(200 * len(a & b) / (len(a) + len(b)))


def test_a_chain_of_loose_matches_does_not_merge():
    # a matches b and b matches c, but a does not match c: b joins a's event, c stays apart.
    def text(words):
        return " ".join(words)
    entries = [make_entry(slug, "2023-01-10", title="Untitled", body_html=f"<p>{text(words)}</p>")
               for slug, words in (("a", WORDS[0:20]), ("b", WORDS[4:24]), ("c", WORDS[8:28]))]
    assert slugs(group_events(entries)[0]) == [["a", "b"]]
    assert slugs(group_events(entries[1:])[0]) == [["b", "c"]]


def test_same_event_as_joins_an_entry_to_another_event_and_is_transitive():
    entries = signing() + [report("grain", GRAIN, same_event_as="tass"),
                           make_entry("later", "2023-05-01", params={"same_event_as": "grain"})]
    assert slugs(group_events(entries)[0]) == [["grain", "sputnik", "tass", "xinhua", "later"]]


def test_same_event_as_none_keeps_a_near_duplicate_apart():
    entries = signing(xinhua={"same_event_as": "none"})
    assert slugs(group_events(entries)[0]) == [["sputnik", "tass"]]


def test_primary_puts_a_report_first():
    assert slugs(group_events(signing(xinhua={"primary": True}))[0]) == \
        [["xinhua", "sputnik", "tass"]]


def test_bad_links_and_two_primaries_are_problems_at_their_keys():
    entries = signing(tass={"primary": True}, sputnik={"primary": True}) + [
        report("grain", GRAIN, same_event_as="no-such-slug"),
        make_entry("loop-a", "2023-04-01", params={"same_event_as": "loop-b"}),
        make_entry("loop-b", "2023-04-02", params={"same_event_as": "loop-a"}),
        make_entry("odd", "2023-04-03", params={"same_event_as": 3, "primary": "yes"})]
    groups, _ = group_events(entries)
    found = {(path.rsplit("/", 1)[1], key, message.split(",")[0].split(";")[0])
             for path, key, message in link_problems(entries, groups)}
    assert found == {
        ("grain.md", "same_event_as", "same_event_as names 'no-such-slug'"),
        ("loop-a.md", "same_event_as", "same_event_as links go round in a cycle back to this entry"),
        ("loop-b.md", "same_event_as", "same_event_as links go round in a cycle back to this entry"),
        ("odd.md", "same_event_as", "'same_event_as' must be the slug of another entry"),
        ("odd.md", "primary", "'primary' must be true or false"),
        ("tass.md", "primary", "another report of this event"),
    }


def corpus_entries(count, shared=0.4):
    """Return generated articles as entries, and the slugs of their known events."""
    articles = generate.make_articles(count, 7, shared)
    entries = [make_entry(a.slug, a.date.isoformat(), title=a.title, lead=a.lead,
                          body_html=f"<p>{a.paragraphs[0]}</p>") for a in articles]
    return entries, generate.known_groups(articles)


def pairs(groups):
    return {(a, b) for group in groups for a in group for b in group if a < b}


def test_groups_do_not_depend_on_the_order_of_files_and_find_the_known_events():
    entries, known = corpus_entries(600)
    groups = [sorted(group) for group in slugs(group_events(entries)[0])]
    for seed in range(3):
        shuffled = entries[:]
        random.Random(seed).shuffle(shuffled)
        assert [sorted(g) for g in slugs(group_events(shuffled)[0])] == groups
    found, truth = pairs(groups), pairs(known)
    assert len(found & truth) / len(found) > 0.95 and len(found & truth) / len(truth) > 0.95


def test_a_memo_of_the_comparisons_gives_the_same_groups_and_an_edit_compares_one_days_blocks():
    entries, _ = corpus_entries(300)
    groups, memo = group_events(entries)
    assert group_events(entries, memo) == (groups, memo)
    edited = entries[:]
    edited[100] = make_entry(edited[100].slug, edited[100].date.isoformat(), title="Other",
                             lead=edited[100].lead, body_html=edited[100].body_html)
    _, new_memo = group_events(edited, memo)
    assert 1 <= len(new_memo.keys() - memo.keys()) <= 2     # the day's block and the day before's


@pytest.mark.parametrize("url, sources, name", [
    ("https://sputniknews.com/a", {}, "Sputnik"), ("https://tass.ru/a", {}, "TASS"),
    ("https://english.news.cn/a", {}, "Xinhua"), ("https://www.afp.com/a", {}, "AFP"),
    ("https://mid.ru/en/a", {"mid.ru": "Russian Foreign Ministry"}, "Russian Foreign Ministry"),
    ("https://www.mid.ru/a", {"mid.ru": "Russian Foreign Ministry"}, "Russian Foreign Ministry"),
    ("https://tass.com/a", {"tass.com": "TASS English"}, "TASS English"),
    ("https://kremlin.ru/a", {"mid.ru": "Russian Foreign Ministry"}, "Kremlin"),
])
def test_source_names_come_from_the_sources_setting_then_known_agencies_then_the_host(
        url, sources, name):
    assert source_name(url, sources) == name


def test_the_site_names_a_source_from_its_url_unless_the_entry_names_it():
    config = parse_config({"sources": {"www.MID.ru": "Russian Foreign Ministry"}})
    entries = [make_entry("a", "2023-01-01", source_url="https://mid.ru/a"),
               make_entry("b", "2023-01-02", source_url="https://tass.com/b"),
               make_entry("c", "2023-01-03", source_url="https://tass.com/c", source_name="Mine"),
               make_entry("d", "2023-01-04")]
    names = {e.slug: e.source_name for e in build_site(entries, config).entries}
    assert names == {"a": "Russian Foreign Ministry", "b": "TASS", "c": "Mine", "d": ""}


# --- whole sites ---------------------------------------------------------------------------------

def write_report(site, slug, fields, extra=""):
    day, _, url, title, lead, paragraph = fields
    path = site / "content" / day[:4] / day[5:7] / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: {title}\ndate: {day}\nslug: {slug}\nlead: {lead}\ntags: [russia, china]\n"
                    f"source: {url}\n{extra}---\n\n{paragraph}\n", encoding="utf-8")
    return path


@pytest.fixture
def event_site(tmp_path):
    site = tmp_path / "site"
    for slug, fields in SIGNING.items():
        write_report(site, slug, fields)
    write_report(site, "grain", GRAIN)
    (site / "sitegen.yaml").write_text("title: Events\nsearch: false\n", encoding="utf-8")
    build(BuildOptions(site, jobs=1))
    return site


def page(site, path):
    return (site / "public" / path / "index.html").read_text(encoding="utf-8")


def test_the_timeline_shows_an_event_once_with_its_reports(event_site):
    home = page(event_site, "")
    assert '<span id="listing-count">2 events from 4 reports</span>.' in home
    assert home.count('href="/2023/03/21/sputnik/"') == 2     # the headline and its report link
    assert 'href="/2023/03/21/tass/"' in home and 'href="/2023/03/22/xinhua/"' in home
    assert ">Russia and China sign joint statement" not in home     # tass: no item of its own
    assert ('<p class="tl-reports">3 reports: <a href="/2023/03/21/sputnik/">Sputnik</a>, '
            '<a href="/2023/03/21/tass/">TASS</a>, <a href="/2023/03/22/xinhua/">Xinhua</a></p>'
            ) in home
    item = home[home.index('href="/2023/03/21/sputnik/">Putin and Xi'):]
    assert item.index("Putin and Xi sign") < item.index("3 reports")
    grain = home[home.index(">Russia and China discuss grain"):]
    assert "tl-reports" not in grain.split("</li>")[0]


def test_the_home_overview_counts_what_the_archives_it_leads_to_list_and_says_so(event_site):
    home = page(event_site, "")
    # 4 reports, 2 events: the month page the bar leads to lists the 4, and so the bar counts
    assert 'aria-label="Entries per year and month"' in home
    assert '<a href="/2023/03/" aria-label="March 2023: 4 entries"' in home
    assert '<a href="/2023/" data-year="2023" class="is-open">2023 <span class="ov-n">4<span ' \
           'class="visually-hidden"> entries</span>' in home
    for path in ("2023", "2023/03"):
        assert '<p class="page-meta">4 entries</p>' in page(event_site, path), path
    assert "event" not in home[home.index('<nav class="overview"'):].split("</nav>")[0]
    tag = page(event_site, "tags/russia")
    assert 'aria-label="Entries per year and month"' in tag
    assert 'aria-label="March 2023: 4 entries"' in tag


def test_the_search_index_names_each_report_s_event_by_its_primary_report(event_site, tmp_path):
    # the event is named by its primary report's URL: slugs may repeat on other days
    (event_site / "sitegen.yaml").write_text("title: Events\n", encoding="utf-8")
    build(BuildOptions(event_site, jobs=1, output_dir=tmp_path / "out"))
    bundle = tmp_path / "out" / "searchindex"
    epoch = json.loads((bundle / "index.json").read_text(encoding="utf-8"))["epoch"]
    events = {}
    for path in (bundle / epoch).iterdir():
        fragment = json.loads(path.read_text(encoding="utf-8"))
        events[fragment["url"]] = fragment["event"]
    assert events["/2023/03/21/tass/"] == events["/2023/03/21/sputnik/"] == "/2023/03/21/sputnik/"
    assert events["/2023/03/21/grain/"] == "/2023/03/21/grain/"


def test_tag_and_date_pages_still_list_each_article(event_site):
    for path in ("tags/russia", "2023/03/21", "2023/03"):
        listing = page(event_site, path)
        for slug in ("tass", "sputnik", "grain"):
            assert f'/{slug}/"' in listing, (path, slug)


def test_an_entry_page_lists_the_other_reports_of_its_event(event_site):
    tass = page(event_site, "2023/03/21/tass")
    section = tass[tass.index('<h2 id="also-heading">Also reported by</h2>'):]
    section = section[:section.index("</section>")]
    assert ('<li>Sputnik, <time datetime="2023-03-21">21 March 2023</time>: <a '
            'href="/2023/03/21/sputnik/">Putin and Xi sign joint statement on comprehensive '
            'partnership</a></li>') in section
    assert '<li>Xinhua, <time datetime="2023-03-22">22 March 2023</time>: <a ' in section
    assert "/tass/" not in section
    # the event is named by its primary report's URL: slugs may repeat on other days
    grain = page(event_site, "2023/03/21/grain")
    assert "Also reported by" not in grain
    assert "Source: <a" in grain and ">TASS</a>" in grain


@pytest.mark.parametrize("extra, slug, line, message", [
    ("same_event_as: no-such-event\n", "grain", 8, "same_event_as names 'no-such-event', which is "
     "the slug of no entry"),
    ("primary: true\n", "xinhua", 8, "another report of this event, content/2023/03/tass.md, is "
     "marked primary: true too; keep one"),
])
def test_build_and_check_report_a_bad_event_link_at_its_line_and_change_nothing(
        event_site, extra, slug, line, message):
    write_report(event_site, "tass", SIGNING["tass"], "primary: true\n")
    build(BuildOptions(event_site, jobs=1))
    before = {rel: p.read_bytes() for rel, p in list_files(event_site / "public").items()}
    write_report(event_site, slug, SIGNING.get(slug, GRAIN), extra)
    expected = f"content/2023/03/{slug}.md:{line}: {message}"
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(event_site, jobs=1))
    assert [str(e) for e in failure.value.errors] == [expected]
    for command in ("build", "check"):
        result = subprocess.run([sys.executable, "-m", "site_builder", command, "--site",
                                 str(event_site)], capture_output=True, text=True)
        assert result.returncode == 1 and expected in result.stderr + result.stdout, command
        assert "Traceback" not in result.stderr
    after = {rel: p.read_bytes() for rel, p in list_files(event_site / "public").items()}
    assert after == before


def test_a_cycle_of_links_is_an_error_through_check(event_site):
    write_report(event_site, "tass", SIGNING["tass"], "same_event_as: xinhua\n")
    write_report(event_site, "xinhua", SIGNING["xinhua"], "same_event_as: tass\n")
    result = subprocess.run([sys.executable, "-m", "site_builder", "check", "--site",
                             str(event_site)], capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    for slug in ("tass", "xinhua"):
        assert f"content/2023/03/{slug}.md:8: same_event_as links go round in a cycle" in output


def test_a_link_to_a_draft_builds_without_it(event_site):
    write_report(event_site, "tass", SIGNING["tass"], "draft: true\n")
    write_report(event_site, "grain", GRAIN, "same_event_as: tass\n")
    build(BuildOptions(event_site, jobs=1))
    home = page(event_site, "")
    assert "/tass/" not in home and "2 reports: " in home
    build(BuildOptions(event_site, jobs=1, drafts=True))
    assert "4 reports: " in page(event_site, "")


def test_an_import_names_the_source_by_the_sources_setting(tmp_path):
    site = tmp_path / "site"
    (site / "seeds").mkdir(parents=True)
    (site / "seeds/a.txt").write_text("date 2023-02-01 https://www.mid.ru/en/a\nA statement\n"
                                      "A lead.\nA paragraph.\n", encoding="utf-8")
    (site / "sitegen.yaml").write_text("search: false\nsources: {mid.ru: Russian Foreign Ministry}\n",
                                       encoding="utf-8")
    build(BuildOptions(site, jobs=1))
    entry = next((site / "content").rglob("*.md")).read_text(encoding="utf-8")
    assert "  name: Russian Foreign Ministry\n" in entry
