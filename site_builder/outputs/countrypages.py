"""The country and relation pages of the plan: /countries/, each country's timeline, /relations/
and each pair's timeline, with their feeds; pure. Planner (plan.py) takes these methods in, and
they use its helpers (plan imports this module first, so they are looked up when called).
"""

from __future__ import annotations

import functools
from typing import Any, Iterator, Sequence

from . import plan
from ..core.urls import (COUNTRIES_BY_COUNT_PATH, COUNTRIES_PATH, RELATIONS_PATH,
                         country_feed_path, country_path, output_file, relation_feed_path,
                         relation_path)
from ..model.countries import flag, pair_key
from ..model.records import Country, Entry, Relation
from .indexes import by_count, by_letter
from .views import (CountriesPage, CountryPage, CountryRef, EntrySummary,
                    RelationPage, RelationRef, RelationsPage)

PARTNERS_SHOWN = 10     # a country page lists its most frequent partners, this many


class CountryPages:
    """The Planner's methods for countries and relations (see plan.Planner)."""

    @functools.cached_property
    def country_refs(self) -> dict[str, CountryRef]:
        """Return code -> the country as pages show it, for every country of the site."""
        return {c.code: CountryRef(c.code, c.name, flag(c.code), self.url(country_path(c.code)),
                                   len(c.entries)) for c in self.site.countries}

    @functools.cached_property
    def relation_refs(self) -> dict[tuple[str, str], RelationRef]:
        """Return pair of codes -> the pair as pages show it, for every pair of the site."""
        refs, least = self.country_refs, self.config.relation_min
        return {r.codes: RelationRef((refs[r.codes[0]], refs[r.codes[1]]),
                                     self.url(relation_path(r.codes)) if len(r.entries) >= least
                                     else None, len(r.entries))
                for r in self.site.relations}

    def entry_countries(self, entry: Entry
                        ) -> tuple[tuple[CountryRef, ...], tuple[RelationRef, ...]]:
        """Return an entry's countries and those of its pairs that have pages."""
        refs, pairs = self.country_refs, self.relation_refs
        codes = entry.countries
        related = [pairs[pair_key(a, b)] for i, a in enumerate(codes) for b in codes[i + 1:]]
        return tuple(refs[code] for code in codes), tuple(r for r in related if r.url)

    def country_pages(self) -> Iterator:
        """Yield the country index, each country's timeline pages and each country's feed."""
        refs = self.country_refs
        rows = tuple(refs[c.code] for c in self.site.countries)
        name, count = (lambda r: r.name), (lambda r: r.count)
        gettext = self.language.gettext
        for path, title, sections, other in (
                (COUNTRIES_PATH, gettext("Countries"), by_letter(rows, name), COUNTRIES_BY_COUNT_PATH),
                (COUNTRIES_BY_COUNT_PATH, gettext("Countries by number of entries"),
                 by_count(rows, name, count), COUNTRIES_PATH)):
            view = CountriesPage(self.page("countries", title, path), sections, len(rows),
                                 self.url(other))
            yield self.page_output(path, "countries.html", view, f"country index ({title})")
        partners = self.partners()
        for country in self.site.countries:
            yield from self.country_timeline(country, refs[country.code],
                                             partners.get(country.code, ()))

    def partners(self) -> dict[str, tuple[RelationRef, ...]]:
        """Return code -> its pairs with most shared entries first (site.relations' order)."""
        found: dict[str, list[RelationRef]] = {}
        for codes, ref in self.relation_refs.items():
            for code in codes:
                items = found.setdefault(code, [])
                if len(items) < PARTNERS_SHOWN:
                    items.append(ref)
        return {code: tuple(items) for code, items in found.items()}

    def country_timeline(self, country: Country, ref: CountryRef,
                         partners: tuple[RelationRef, ...]) -> Iterator:
        """Yield a country's timeline pages (the overview on each, its months and the partners
        on the first) and its feed."""
        path_of = functools.partial(country_path, country.code)
        feed_url = self.url(country_feed_path(country.code))
        for number, chunk, pager, overview in self.listing(country.entries, path_of):
            title = self.numbered(ref.name, number)
            view = CountryPage(
                page=self.page("country", title, path_of(number), feed_url=feed_url),
                country=ref, count=len(country.entries),
                groups=plan.group_entries(chunk, self.base, self.language), pagination=pager,
                overview=overview, partners=partners if number == 1 else ())
            yield self.page_output(path_of(number), "country.html", view,
                                   f"country {country.code} page {number}", chunk)
        yield self.listing_feed(country.entries, ref.name, country_feed_path(country.code),
                              ref.url, f"feed of country {country.code}")

    def relation_pages(self) -> Iterator:
        """Yield the relation index, and each pair's timeline pages and feed when the pair has
        at least relation_min shared entries."""
        refs = self.relation_refs
        shown = tuple(ref for ref in refs.values() if ref.url)
        view = RelationsPage(self.page("relations", self.language.gettext("Relations"),
                                       RELATIONS_PATH), shown,
                             self.config.relation_min, len(refs) - len(shown))
        yield self.page_output(RELATIONS_PATH, "relations.html", view, "relation index")
        for relation in self.site.relations:
            ref = refs[relation.codes]
            if ref.url:
                yield from self.relation_timeline(relation, ref)

    def relation_timeline(self, relation: Relation, ref: RelationRef) -> Iterator:
        """Yield a pair's timeline pages (the overview on each, its months on the first) and
        its feed."""
        path_of = functools.partial(relation_path, relation.codes)
        feed_url = self.url(relation_feed_path(relation.codes))
        for number, chunk, pager, overview in self.listing(relation.entries, path_of):
            title = self.numbered(ref.label, number)
            view = RelationPage(
                page=self.page("relation", title, path_of(number), feed_url=feed_url),
                relation=ref, count=len(relation.entries),
                groups=plan.group_entries(chunk, self.base, self.language), pagination=pager,
                overview=overview)
            yield self.page_output(path_of(number), "relation.html", view,
                                   f"relation {'-'.join(relation.codes)} page {number}", chunk)
        yield self.listing_feed(relation.entries, ref.label, relation_feed_path(relation.codes),
                              ref.url, f"feed of relation {'-'.join(relation.codes)}")

    def page_output(self, path: str, template: str, view: Any, source: str,
                    chunk: Sequence[EntrySummary] = ()) -> "plan.PageOutput":
        """Return a page output at a URL path, last changed with its newest listed entry."""
        return plan.PageOutput(output_file(path), template, view, source,
                               lastmod=self.lastmod(chunk))
