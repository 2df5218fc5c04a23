"""View records keep their fields in slots, not in a dict per record: a site of 100,000 entries
plans some 1.5 million of them (month groups, overview cells, links, pages), and a dict costs
40 bytes more a record, in the build's process and in every worker forked from it."""

import dataclasses
import inspect

from site_builder.outputs import overview, plan, views

# A summary memoizes its digest and repr in its own dict; there is one per entry, not per view.
WITH_DICT = {views.EntrySummary}


def records(module) -> list[type]:
    """Return the dataclasses a module defines."""
    return [cls for _, cls in inspect.getmembers(module, inspect.isclass)
            if dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__]


def test_every_view_record_but_the_summary_has_slots_and_no_dict():
    found = [cls for module in (views, overview, plan) for cls in records(module)]
    assert {views.PageInfo, views.Link, overview.OverviewMonth, plan.PageOutput} <= set(found)
    for cls in found:
        if cls in WITH_DICT:
            continue
        assert "__slots__" in cls.__dict__, cls
        assert "__dict__" not in dir(cls), cls


def test_a_record_with_slots_is_still_frozen_and_compared_by_value():
    link = views.Link("Tags", "/tags/")
    assert link == views.Link("Tags", "/tags/") and hash(link) == hash(views.Link("Tags", "/tags/"))
    try:
        link.label = "Other"   # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("a view record could be changed")
