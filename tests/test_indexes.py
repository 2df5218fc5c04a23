"""The index pages' orders: by name under initial letters, or by number of entries."""

from site_builder.outputs.indexes import by_count, by_letter, initial, letter_anchor


def test_a_name_is_filed_under_its_capital_letter_accents_aside():
    assert [initial(n) for n in ("china", "Élysée", "жуков", "2022 elections", "#metoo", "")] == [
        "C", "E", "Ж", "#", "#", "#"]
    assert [letter_anchor(l) for l in ("C", "Ж", "#")] == ["letter-c", "letter-u416", "letter-other"]


def test_rows_in_name_order_make_one_section_per_letter():
    names = ["apec", "asean", "brics", "Élysée", "energy", "жуков"]
    sections = by_letter(names, str)
    assert [(s.letter, s.anchor, s.rows) for s in sections] == [
        ("A", "letter-a", ("apec", "asean")), ("B", "letter-b", ("brics",)),
        ("E", "letter-e", ("Élysée", "energy")), ("Ж", "letter-u416", ("жуков",))]


def test_by_count_is_one_section_most_entries_first_then_by_name():
    counts = {"brics": 3, "apec": 3, "energy": 9}
    [section] = by_count(list(counts), str, counts.get)
    assert (section.letter, section.anchor, section.rows) == ("", "", ("energy", "apec", "brics"))
    assert by_count([], str, counts.get) == ()
