"""Generate a deterministic synthetic corpus of diplomacy news for build benchmarks.

Every article is SYNTHETIC: invented people, invented quotes, URLs on https://synthetic.example/.
The same articles are written in four forms under OUT/:

  raw/                      scraped-article format of seeds/ (sitegen's import input)
  sitegen/content/YYYY/MM/  sitegen entries (YAML front matter + Markdown body)
  hugo/content/YYYY/MM/DD/  Hugo pages, plus _index.md files that make year/month/day sections
  pelican/content/YYYY/MM/  Pelican Markdown articles with Pelican metadata

Each article is about two or three countries (drawn by Zipf frequency, as news names Russia and
China more often than Mongolia), and its tags and dateline name those countries only, as a scraped
article's do; --countries any draws country tags from the whole vocabulary instead (every entry
then names about six countries, and all 1,770 pairs of the 60 countries meet).

With --variant markdown, every body carries ordinary Markdown: emphasis, strong emphasis and a
link in every body, and in some a bulleted list, a quote or a subheading; --variant prose (the
default) writes plain paragraphs.

With --shared-events F, a fraction F of the articles are reports of shared events: two to four
agencies report one event, a day apart at most, each in its own words (synonyms, a sentence
order of its own, words left out), under the agency's own URL; OUT/groups.json records which
articles report one event (the known groups that grouping is measured against).

With --raw, only the raw form is written, as OUT/seeds/*.txt: a site folder whose next
`sitegen build` imports every article (the bulk import benchmark).

Usage: python benchmarks/generate.py --entries 10000 --out /tmp/corpus [--seed 1] [--shared-events 0.3]
       [--variant prose|markdown] [--countries article|any] [--raw]
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import itertools
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

FIRST_DAY = datetime.date(2016, 1, 1)
DAYS = 8 * 365 + 2                                   # 2016-01-01 .. 2023-12-31
WORDS_PER_BODY = 600
TAG_COUNT = 500
VARIANTS = ("prose", "markdown")     # plain paragraphs, or ordinary Markdown in every body
COUNTRY_DRAWS = ("article", "any")   # 2-3 countries per article, or country tags drawn at random
SOURCE_NAME = "Synthetic Example News"
BASE_URL = "https://synthetic.example/"

COUNTRIES = [  # (name, adjective, capital)
    ("russia", "Russian", "Moscow"), ("china", "Chinese", "Beijing"), ("usa", "US", "Washington"),
    ("ukraine", "Ukrainian", "Kyiv"), ("india", "Indian", "New Delhi"), ("iran", "Iranian", "Tehran"),
    ("turkey", "Turkish", "Ankara"), ("germany", "German", "Berlin"), ("france", "French", "Paris"),
    ("uk", "British", "London"), ("japan", "Japanese", "Tokyo"), ("south korea", "South Korean", "Seoul"),
    ("north korea", "North Korean", "Pyongyang"), ("syria", "Syrian", "Damascus"),
    ("israel", "Israeli", "Jerusalem"), ("saudi arabia", "Saudi", "Riyadh"), ("egypt", "Egyptian", "Cairo"),
    ("brazil", "Brazilian", "Brasilia"), ("south africa", "South African", "Pretoria"),
    ("pakistan", "Pakistani", "Islamabad"), ("afghanistan", "Afghan", "Kabul"), ("iraq", "Iraqi", "Baghdad"),
    ("belarus", "Belarusian", "Minsk"), ("kazakhstan", "Kazakh", "Astana"), ("serbia", "Serbian", "Belgrade"),
    ("poland", "Polish", "Warsaw"), ("italy", "Italian", "Rome"), ("spain", "Spanish", "Madrid"),
    ("venezuela", "Venezuelan", "Caracas"), ("cuba", "Cuban", "Havana"), ("mexico", "Mexican", "Mexico City"),
    ("argentina", "Argentine", "Buenos Aires"), ("vietnam", "Vietnamese", "Hanoi"),
    ("indonesia", "Indonesian", "Jakarta"), ("qatar", "Qatari", "Doha"), ("uae", "Emirati", "Abu Dhabi"),
    ("armenia", "Armenian", "Yerevan"), ("azerbaijan", "Azerbaijani", "Baku"), ("georgia", "Georgian", "Tbilisi"),
    ("libya", "Libyan", "Tripoli"), ("ethiopia", "Ethiopian", "Addis Ababa"), ("nigeria", "Nigerian", "Abuja"),
    ("hungary", "Hungarian", "Budapest"), ("finland", "Finnish", "Helsinki"), ("sweden", "Swedish", "Stockholm"),
    ("norway", "Norwegian", "Oslo"), ("canada", "Canadian", "Ottawa"), ("australia", "Australian", "Canberra"),
    ("mongolia", "Mongolian", "Ulaanbaatar"), ("uzbekistan", "Uzbek", "Tashkent"),
    ("moldova", "Moldovan", "Chisinau"), ("lebanon", "Lebanese", "Beirut"), ("jordan", "Jordanian", "Amman"),
    ("algeria", "Algerian", "Algiers"), ("greece", "Greek", "Athens"), ("austria", "Austrian", "Vienna"),
    ("switzerland", "Swiss", "Bern"), ("thailand", "Thai", "Bangkok"), ("philippines", "Philippine", "Manila"),
    ("malaysia", "Malaysian", "Kuala Lumpur"),
]
ORGANIZATIONS = [
    "un", "un security council", "nato", "eu", "brics", "sco", "asean", "opec", "opec+", "g20", "g7",
    "csto", "eaeu", "african union", "arab league", "osce", "iaea", "who", "wto", "imf", "world bank",
    "council of europe", "european commission", "european parliament", "un general assembly",
    "gulf cooperation council", "cis", "apec", "icc", "interpol",
]
TOPICS = [
    "bilateral relations", "sanctions", "diplomacy", "foreign policy", "trade", "energy", "gas", "oil",
    "nuclear deal", "arms control", "security", "terrorism", "elections", "peace talks", "ceasefire",
    "humanitarian aid", "refugees", "military cooperation", "defense", "economy", "investment", "summit",
    "visit", "negotiations", "embassy", "ambassador", "foreign ministers", "telephone talks", "agreement",
    "memorandum", "grain deal", "pipeline", "nord stream", "missile defense", "space cooperation",
    "cybersecurity", "climate", "pandemic", "vaccines", "tourism", "education", "culture", "border",
    "territorial dispute", "espionage", "expulsion of diplomats", "human rights", "protests",
    "strategic partnership", "multipolar world", "de-dollarization", "national currencies", "arms trade",
    "military exercises", "naval drills", "intelligence", "hypersonic weapons", "prisoner exchange",
    "new year greetings", "state visit", "press conference",
]
FIRST_NAMES = [
    "Aleksei", "Mira", "Tomas", "Leila", "Daniel", "Sanjay", "Yuki", "Omar", "Elena", "Viktor", "Ana",
    "Karim", "Ingrid", "Paulo", "Mei", "Tariq", "Jonas", "Nadia", "Rafael", "Hana",
]
LAST_NAMES = [
    "Varenko", "Lindqvist", "Okafor", "Haddad", "Moreau", "Castell", "Ibrahimov", "Tanaka", "Petrescu",
    "Kowal", "Devereux", "Almeida", "Rostova", "Nakamura", "Barros", "Sorensen", "Zaman", "Kerimov",
    "Halloran", "Mendez",
]
OFFICES = ["President", "Prime Minister", "Foreign Minister", "Defense Minister", "Ambassador",
           "Deputy Foreign Minister", "Spokesperson", "Chancellor", "Secretary-General"]
AGENCIES = ["SEN", "Synthetic Wire", "Example Press", "SEN Radio"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

TITLES = [
    "{Adj} {office} Ready to Deepen {Topic} With {Country2} in {year}",
    "{Country} and {Country2} Sign {Topic} Agreement",
    "{Org} Discusses {Topic} as {Country} Calls for Talks",
    "{Person} Says {Topic} With {Country2} Will Reach New Heights",
    "{Capital} Rejects {Country2} Claims Over {Topic}",
    "{Adj} and {Adj2} Leaders Hold Telephone Talks on {Topic}",
    "{Country} Expels {Adj2} Diplomats Amid {Topic} Row",
    "{Person} Arrives in {Capital2} for Talks on {Topic}",
    "{Country} to Host {Org} Meeting on {Topic}",
    "{Adj} Envoy Warns {Org} Against New {Topic} Measures",
]
SENTENCES = [
    "{Person}, the {adj} {office_l}, said on {weekday} that {country} was ready to expand {topic} with {country2}.",
    "\"We are ready to maintain close contacts and to lead our countries to deeper cooperation in {topic},\" {person} said, as quoted by the media.",
    "The {adj} side also underlined that relations with {capital2} had shown resilience to external challenges over the past {number} months.",
    "According to the {adj} foreign ministry, the two delegations discussed {topic}, {topic2} and the situation around {country3}.",
    "Earlier this week, {org} officials held consultations in {capital} on {topic}, the {number}th such meeting this year.",
    "Analysts in {capital} noted that trade between {country} and {country2} grew by {number} percent last year.",
    "{Person} added that {country} did not intend to interfere in the internal affairs of {country2}.",
    "The statement was published on the website of the {adj} embassy in {capital2} late on {weekday}.",
    "Observers expect the issue of {topic} to dominate the agenda of the upcoming {org} summit.",
    "The two sides agreed to set up a working group on {topic} that would report to ministers within {number} days.",
    "Officials in {capital2} declined to comment on the remarks, citing ongoing negotiations on {topic}.",
    "In a separate development, the {adj2} delegation called on {org} to address {topic2} without delay.",
    "Diplomats familiar with the talks said the draft memorandum covers {topic}, {topic2} and joint projects in the region.",
    "\"Our partnership is not directed against third countries,\" {person} told reporters in {capital}.",
]


# Agencies that report shared events: (URL of their site, the name sitegen gives its host).
EVENT_AGENCIES = [("https://sputniknews.com/", "Sputnik"), ("https://tass.com/", "TASS"),
                  ("https://english.news.cn/", "Xinhua"), ("https://ria.ru/", "RIA Novosti"),
                  ("https://www.reuters.com/world/", "Reuters"), ("https://apnews.com/article/", "AP"),
                  ("https://www.afp.com/en/news/", "AFP")]
# Words an agency may say differently: every report rewords the event with its own choices.
SYNONYMS = {
    "said": ["stated", "noted", "told reporters"], "ready": ["prepared", "willing"],
    "expand": ["broaden", "develop", "widen"], "talks": ["negotiations", "consultations"],
    "cooperation": ["partnership", "collaboration"], "discussed": ["talked about", "reviewed"],
    "agreed": ["decided", "consented"], "Sign": ["Signed", "Conclude"], "Holds": ["Held"],
    "Hold": ["Held", "Conduct"], "Says": ["Stated", "Claims"], "Rejects": ["Dismisses"],
    "Arrives": ["Lands"], "Warns": ["Cautions"], "relations": ["ties"], "also": ["further"],
    "meeting": ["session", "gathering"], "officials": ["representatives"],
}


@dataclass(frozen=True)
class Article:
    """One synthetic article: every field the four output formats need."""

    number: int
    date: datetime.date
    title: str
    slug: str
    lead: str
    summary: str
    tags: tuple[str, ...]
    dateline: str
    url: str
    paragraphs: tuple[str, ...]
    source_name: str = SOURCE_NAME
    event: int = -1                 # the shared event it reports, or -1

    @property
    def raw_name(self) -> str:
        """Return the file name of the raw article, like seeds/000_a8b0fcfbf1680f64.txt."""
        return f"{self.number:05d}_{hashlib.sha1(self.url.encode()).hexdigest()[:16]}.txt"


def tag_vocabulary() -> list[str]:
    """Return 500 diplomacy tags, most frequent first (the order sets the Zipf rank)."""
    names = [name for name, _, _ in COUNTRIES]
    singles = names[:12] + TOPICS[:10] + ORGANIZATIONS[:8] + names[12:] + TOPICS[10:] + ORGANIZATIONS[8:]
    capitals = [capital.lower() for _, _, capital in COUNTRIES]
    people = [f"{first} {last}".lower() for first, last in zip(FIRST_NAMES, LAST_NAMES)]
    pairs = [f"{a}-{b} relations" for a, b in itertools.combinations(names[:30], 2)]
    tags = list(dict.fromkeys(singles + capitals + people + pairs))
    return tags[:TAG_COUNT]


def zipf_weights(count: int, exponent: float = 1.0) -> list[float]:
    """Return cumulative Zipf weights for ranks 1..count."""
    return list(itertools.accumulate(1 / rank ** exponent for rank in range(1, count + 1)))


def pick_tags(rng: random.Random, vocabulary: list[str], cumulative: list[float]) -> tuple[str, ...]:
    """Return 3-10 distinct tags drawn by Zipf frequency."""
    wanted = rng.randint(3, 10)
    tags: dict[str, None] = {}
    while len(tags) < wanted:
        tags[rng.choices(vocabulary, cum_weights=cumulative)[0]] = None
    return tuple(tags)


def country_tags() -> dict[str, frozenset[str]]:
    """Return every vocabulary tag that names countries (names, capitals, pairs), with them."""
    names = [name for name, _, _ in COUNTRIES]
    named = {name: frozenset([name]) for name in names}
    named |= {capital.lower(): frozenset([name]) for name, _, capital in COUNTRIES}
    named |= {f"{a}-{b} relations": frozenset([a, b]) for a, b in itertools.combinations(names, 2)}
    return named


COUNTRY_TAGS = country_tags()
COUNTRY_WEIGHTS = zipf_weights(len(COUNTRIES))


def pick_countries(rng: random.Random) -> list[tuple[str, str, str]]:
    """Return the two or three countries an article is about, drawn by Zipf frequency."""
    wanted = rng.choice((2, 2, 3))
    chosen: dict[tuple[str, str, str], None] = {}
    while len(chosen) < wanted:
        chosen[rng.choices(COUNTRIES, cum_weights=COUNTRY_WEIGHTS)[0]] = None
    return list(chosen)


def pick_article_tags(rng: random.Random, countries: list[tuple[str, str, str]], vocabulary: list[str],
                      cumulative: list[float]) -> tuple[str, ...]:
    """Return 3-10 distinct tags naming the article's countries only, the way a scraped article's
    do: each country's name, some capitals, the pair's 'a-b relations' tag, then topics,
    organisations and people drawn by Zipf frequency."""
    names = sorted((name for name, _, _ in countries), key=[c[0] for c in COUNTRIES].index)
    tags = dict.fromkeys(name for name, _, _ in countries)
    tags |= dict.fromkeys(capital.lower() for _, _, capital in countries if rng.random() < 0.3)
    pair = f"{names[0]}-{names[1]} relations"
    if pair in vocabulary and rng.random() < 0.5:
        tags[pair] = None
    wanted = max(rng.randint(3, 10), len(tags) + 1)
    while len(tags) < wanted:
        tag = rng.choices(vocabulary, cum_weights=cumulative)[0]
        if tag not in COUNTRY_TAGS:
            tags[tag] = None
    return tuple(tags)


def make_person(rng: random.Random) -> str:
    """Return an invented official's name."""
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def org_name(tag: str) -> str:
    """Return how an organization tag is written in prose: acronyms upper case, names title case."""
    return tag.upper() if len(tag) <= 5 else tag.title()


def country_name(tag: str) -> str:
    """Return how a country tag is written in prose."""
    return tag.upper() if len(tag) <= 3 else tag.title()


def fill(template: str, rng: random.Random, year: int) -> str:
    """Return template with every {slot} replaced by a random value."""
    (c1, a1, cap1), (c2, a2, cap2), (c3, _, _) = rng.sample(COUNTRIES, 3)
    office = rng.choice(OFFICES)
    values = {
        "country": country_name(c1), "country2": country_name(c2), "country3": country_name(c3),
        "adj": a1, "adj2": a2, "capital": cap1, "capital2": cap2, "office": office, "office_l": office.lower(),
        "topic": rng.choice(TOPICS), "topic2": rng.choice(TOPICS), "org": org_name(rng.choice(ORGANIZATIONS)),
        "person": f"{office} {make_person(rng)}", "weekday": rng.choice(WEEKDAYS),
        "number": str(rng.randint(2, 40)), "year": str(year),
    }
    values |= {key[0].upper() + key[1:]: value[0].upper() + value[1:] for key, value in values.items()}
    values["Topic"] = values["topic"].title()
    return template.format(**values)


def make_paragraphs(rng: random.Random, year: int) -> list[str]:
    """Return body paragraphs of about WORDS_PER_BODY words, 2-4 sentences each."""
    paragraphs, words = [], 0
    while words < WORDS_PER_BODY:
        paragraph = " ".join(fill(rng.choice(SENTENCES), rng, year) for _ in range(rng.randint(2, 4)))
        paragraphs.append(paragraph)
        words += len(paragraph.split())
    return paragraphs


def with_markdown(paragraphs: list[str], rng: random.Random, year: int) -> list[str]:
    """Return the paragraphs as ordinary Markdown: an emphasised word in every other paragraph,
    a strongly emphasised one and a link in the body, and with even odds each a bulleted list, a
    quote and a subheading (each list, quote and subheading is one more block)."""
    blocks = [emphasise(p, rng, "*") if i % 2 == 0 else p for i, p in enumerate(paragraphs)]
    blocks[1] = emphasise(blocks[1], rng, "**")
    where = rng.randrange(len(blocks))
    blocks[where] = link(blocks[where], rng)
    if rng.random() < 0.5:
        items = rng.sample(TOPICS, rng.randint(3, 5))
        blocks.insert(rng.randrange(1, len(blocks)),
                      "\n".join(f"- {item[0].upper()}{item[1:]}" for item in items))
    if rng.random() < 0.5:
        blocks.insert(rng.randrange(1, len(blocks)), "> " + fill(rng.choice(SENTENCES), rng, year))
    if rng.random() < 0.5:
        blocks.insert(len(blocks) // 2, f"## {rng.choice(TOPICS).title()}")
    return blocks


def emphasise(paragraph: str, rng: random.Random, marker: str) -> str:
    """Return paragraph with one word of five or more letters wrapped in marker."""
    words = paragraph.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
    if candidates:
        index = rng.choice(candidates)
        words[index] = f"{marker}{words[index]}{marker}"
    return " ".join(words)


def link(paragraph: str, rng: random.Random) -> str:
    """Return paragraph with a link to a synthetic page on two to three of its words."""
    words = paragraph.split(" ")
    start = rng.randrange(max(1, len(words) - 3))
    size = rng.randint(2, 3)
    text = " ".join(words[start:start + size]).strip(".,;:\"")
    if not text or "*" in text:
        return f"{paragraph} See the [full statement]({BASE_URL}statements/{rng.randrange(10**6)}.html)."
    phrase = " ".join(words[start:start + size])
    linked = phrase.replace(text, f"[{text}]({BASE_URL}briefings/{rng.randrange(10**6)}.html)", 1)
    return " ".join([*words[:start], linked, *words[start + size:]])


def slugify(text: str) -> str:
    """Return a lowercase ASCII slug of at most 80 characters, cut at a word boundary."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug if len(slug) <= 80 else slug[:80].rsplit("-", 1)[0]


def reword(text: str, rng: random.Random, drop: float = 0.08) -> str:
    """Return text as another agency might write it: some words swapped for synonyms, a few
    left out."""
    words = []
    for word in text.split(" "):
        if word in SYNONYMS and rng.random() < 0.6:
            word = rng.choice(SYNONYMS[word])
        elif rng.random() < drop and len(word) > 3:
            continue
        words.append(word)
    return " ".join(words)


def event_plan(count: int, shared: float, rng: random.Random) -> list[tuple[int, int]]:
    """Return (event number or -1, day offset) for count articles: a fraction shared of them
    report shared events, two to four reports each, one or two days apart."""
    plan: list[tuple[int, int]] = []
    wanted = round(count * shared)
    event = 0
    while len(plan) < wanted:
        reports = min(rng.randint(2, 4), wanted - len(plan))
        if reports < 2:
            break
        plan += [(event, rng.randint(0, 1)) for _ in range(reports)]
        event += 1
    plan += [(-1, 0)] * (count - len(plan))
    rng.shuffle(plan)     # shared events all through the years
    return plan


def make_articles(count: int, seed: int, shared: float = 0.0, variant: str = "prose",
                  countries: str = "article") -> list[Article]:
    """Return count synthetic articles, oldest first, with globally unique slugs; a fraction
    shared of them are reports of shared events; bodies of the variant (one of VARIANTS), and
    countries drawn per article or from the whole vocabulary (COUNTRY_DRAWS; see the module's
    docstring)."""
    rng = random.Random(seed)
    vocabulary = tag_vocabulary()
    cumulative = zipf_weights(len(vocabulary))
    dates = sorted(FIRST_DAY + datetime.timedelta(days=rng.randrange(DAYS)) for _ in range(count))
    plan = event_plan(count, shared, random.Random(seed + 1)) if shared else [(-1, 0)] * count
    events: dict[int, tuple[datetime.date, int]] = {}   # event -> (its day, the seed of its text)
    seen: set[str] = set()
    articles = []
    for number, date in enumerate(dates):
        event, offset = plan[number]
        text_rng = rng
        if event >= 0:
            if event not in events:   # an event falls on any day, like the other articles
                events[event] = (FIRST_DAY + datetime.timedelta(days=rng.randrange(DAYS)),
                                 rng.randrange(2**32))
            date, text_seed = events[event]
            date += datetime.timedelta(days=offset)
            text_rng = random.Random(text_seed)     # every report tells the same story
        title = fill(text_rng.choice(TITLES), text_rng, date.year)
        paragraphs = make_paragraphs(text_rng, date.year)
        _, _, capital = rng.choice(COUNTRIES)
        lead = fill(text_rng.choice(SENTENCES), text_rng, date.year)
        involved = pick_countries(text_rng) if countries == "article" else []
        if involved:                # the dateline is in one of them, as the tags name them
            capital = involved[0][2]
        source_name, base_url = SOURCE_NAME, BASE_URL
        if event >= 0:
            base_url, source_name = EVENT_AGENCIES[(event + len(articles)) % len(EVENT_AGENCIES)]
            title, lead = reword(title, rng, drop=0), reword(lead, rng)
            sentences = re.split(r"(?<=[.\"]) (?=[A-Z\"])", paragraphs[0])
            rng.shuffle(sentences)
            paragraphs[0] = reword(" ".join(sentences), rng)
        if variant == "markdown":
            paragraphs = with_markdown(paragraphs, random.Random(f"markdown-{seed}-{number}"), date.year)
        slug = base = slugify(title)
        suffix = 2
        while slug in seen:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        seen.add(slug)
        articles.append(Article(
            number=number, date=date, title=title, slug=slug, lead=lead,
            summary=" ".join(fill(rng.choice(SENTENCES), rng, date.year) for _ in range(2)),
            tags=(pick_article_tags(rng, involved, vocabulary, cumulative) if involved
                  else pick_tags(rng, vocabulary, cumulative)),
            dateline=f"{capital.upper()} ({rng.choice(AGENCIES)})",
            url=f"{base_url}{date:%Y%m%d}/{slug}-{number}.html",
            paragraphs=tuple(paragraphs), source_name=source_name, event=event,
        ))
    articles.sort(key=lambda a: (a.date, a.number))
    return articles


def known_groups(articles: list[Article]) -> list[list[str]]:
    """Return the slugs of the reports of each shared event, the groups grouping should find."""
    groups: dict[int, list[str]] = {}
    for article in articles:
        if article.event >= 0:
            groups.setdefault(article.event, []).append(article.slug)
    return [slugs for _, slugs in sorted(groups.items())]


def quote(value: str) -> str:
    """Return value as a YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def yaml_list(values: tuple[str, ...], indent: str = "  ") -> str:
    """Return a block-style YAML list."""
    return "".join(f"\n{indent}- {quote(value)}" for value in values)


def markdown_body(article: Article) -> str:
    """Return the Markdown body: paragraphs separated by blank lines."""
    return "\n\n".join(article.paragraphs) + "\n"


def raw_text(article: Article) -> str:
    """Return the article in the scraped seed format (no trailing newline, like the seeds)."""
    first = f"{article.dateline} - {article.paragraphs[0]}"
    return "\n".join([
        f" date {article.date.isoformat()} {article.url}", article.title, article.lead, article.summary,
        ", ".join(article.tags), first, *article.paragraphs[1:],
    ])


def sitegen_text(article: Article) -> str:
    """Return the article as a sitegen entry: YAML front matter, blank line, Markdown body."""
    return (
        "---\n"
        f"title: {quote(article.title)}\n"
        f"date: {article.date.isoformat()}\n"
        f"slug: {article.slug}\n"
        f"lead: {quote(article.lead)}\n"
        f"summary: {quote(article.summary)}\n"
        f"tags:{yaml_list(article.tags)}\n"
        "source:\n"
        f"  name: {quote(article.source_name)}\n"
        f"  url: {quote(article.url)}\n"
        f"dateline: {quote(article.dateline)}\n"
        f"imported_from: {quote('seeds/' + article.raw_name)}\n"
        "---\n\n" + markdown_body(article)
    )


def hugo_text(article: Article) -> str:
    """Return the article as a Hugo page: YAML front matter with custom fields under params."""
    return (
        "---\n"
        f"title: {quote(article.title)}\n"
        f"date: {article.date.isoformat()}\n"
        f"slug: {article.slug}\n"
        f"summary: {quote(article.summary)}\n"
        f"tags:{yaml_list(article.tags)}\n"
        "params:\n"
        f"  lead: {quote(article.lead)}\n"
        f"  dateline: {quote(article.dateline)}\n"
        f"  source_name: {quote(article.source_name)}\n"
        f"  source_url: {quote(article.url)}\n"
        "---\n\n" + markdown_body(article)
    )


def pelican_text(article: Article) -> str:
    """Return the article as a Pelican Markdown article with Pelican metadata lines."""
    return (
        f"Title: {article.title}\n"
        f"Date: {article.date.isoformat()}\n"
        f"Slug: {article.slug}\n"
        f"Tags: {', '.join(article.tags)}\n"
        f"Summary: {article.summary}\n"
        f"Lead: {article.lead}\n"
        f"Dateline: {article.dateline}\n"
        f"Source_name: {article.source_name}\n"
        f"Source_url: {article.url}\n"
        "\n" + markdown_body(article)
    )


def entry_paths(article: Article) -> dict[str, str]:
    """Return each format's path for article, relative to OUT."""
    ymd, ym = f"{article.date:%Y/%m/%d}", f"{article.date:%Y/%m}"
    return {
        "raw": f"raw/{article.raw_name}",
        "sitegen": f"sitegen/content/{ym}/{article.slug}.md",
        "hugo": f"hugo/content/{ymd}/{article.slug}.md",
        "pelican": f"pelican/content/{ym}/{article.slug}.md",
    }


def hugo_section_indexes(articles: list[Article]) -> dict[str, str]:
    """Return Hugo _index.md files making every year, month and day with entries a section."""
    folders = {f"{a.date:%Y}" for a in articles} | {f"{a.date:%Y/%m}" for a in articles}
    folders |= {f"{a.date:%Y/%m/%d}" for a in articles}
    return {f"hugo/content/{folder}/_index.md": f"---\ntitle: \"{folder}\"\n---\n" for folder in sorted(folders)}


RENDERERS = {"raw": raw_text, "sitegen": sitegen_text, "hugo": hugo_text, "pelican": pelican_text}


def write_corpus(out: Path, count: int, seed: int = 1, shared: float = 0.0, variant: str = "prose",
                 countries: str = "article") -> list[dict[str, str]]:
    """Write the corpus in every format under out; return each article's paths by format."""
    articles = make_articles(count, seed, shared, variant, countries)
    files = {}
    for article in articles:
        for kind, path in entry_paths(article).items():
            files[path] = RENDERERS[kind](article)
    files |= hugo_section_indexes(articles)
    if shared:
        files["groups.json"] = json.dumps(known_groups(articles), indent=0) + "\n"
    for path, text in files.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return [entry_paths(article) for article in articles]


def write_raw_seeds(out: Path, count: int, seed: int = 1, shared: float = 0.0,
                    variant: str = "prose", countries: str = "article") -> list[str]:
    """Write the raw form of the corpus as out/seeds/*.txt; return their paths, relative to out."""
    paths = []
    for article in make_articles(count, seed, shared, variant, countries):
        target = out / "seeds" / article.raw_name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(raw_text(article), encoding="utf-8")
        paths.append(f"seeds/{article.raw_name}")
    return paths


def main() -> None:
    """Parse the command line and write the corpus."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1000, help="number of articles (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the corpus into")
    parser.add_argument("--shared-events", type=float, default=0.0, metavar="FRACTION",
                        help="fraction of articles that report shared events (default 0)")
    parser.add_argument("--variant", choices=VARIANTS, default="prose",
                        help="plain prose bodies, or ordinary Markdown in every body (default prose)")
    parser.add_argument("--countries", choices=COUNTRY_DRAWS, default="article",
                        help="2-3 countries per article, as scraped articles name them, or country "
                             "tags drawn from the whole vocabulary (default article)")
    parser.add_argument("--raw", action="store_true",
                        help="write only the raw articles, as OUT/seeds/*.txt")
    args = parser.parse_args()
    if args.raw:
        write_raw_seeds(args.out, args.entries, args.seed, args.shared_events, args.variant,
                        args.countries)
        print(f"wrote {args.entries} synthetic raw articles under {args.out / 'seeds'}")
        return
    write_corpus(args.out, args.entries, args.seed, args.shared_events, args.variant, args.countries)
    print(f"wrote {args.entries} synthetic {args.variant} articles in 4 formats under {args.out}")


if __name__ == "__main__":
    main()
