"""The field-by-field view a second curator reads before approving a change."""

from tree.curate.record_diff import FieldChange, field_changes, labelled, show_value


def test_only_changed_fields_in_the_new_records_order_removed_last():
    before = {"id": "x", "name": "Oud", "minutes": 5, "cost": "gratis", "quality_basis": {"year": 2010, "url": "u"}}
    after = {"id": "x", "name": "Nieuw", "minutes": "5", "quality_basis": {"year": 2012, "url": "u"}, "items": 9}
    assert field_changes(before, after) == [
        FieldChange("name", "Oud", "Nieuw"),
        FieldChange("quality_basis.year", 2010, 2012),
        FieldChange("items", None, 9),
        FieldChange("cost", "gratis", None),
    ]


def test_a_reflowed_paragraph_with_one_changed_word_is_one_change():
    old = {"summary": "Een schaal voor eenzaamheid bij ouderen, met elf vragen."}
    new = {"summary": "Een schaal voor eenzaamheid bij volwassenen, met elf vragen."}
    [change] = field_changes(old, new)
    assert change.path == "summary" and "volwassenen" in change.after


def test_a_new_record_lists_every_field_and_empty_values_are_no_change():
    assert [c.path for c in field_changes(None, {"id": "n", "name": "N", "related": []})] == ["id", "name"]
    assert field_changes({"related": []}, {"related": None}) == []


def test_values_read_as_text_in_the_curators_language():
    sources = [{"title": "NJi", "url": "https://www.nji.nl"}]
    assert show_value(sources) == "NJi — https://www.nji.nl"
    assert show_value(True, "nl") == "ja" and show_value(False, "en") == "no"
    assert show_value(None) == "—"
    rows = labelled([FieldChange("minutes", None, 5), FieldChange("quality_basis.year", 1, 2),
                     FieldChange("not_a_field", 1, 2)], "nl")
    assert [r["field"] for r in rows] == ["Afnametijd (minuten per persoon)", "Onderbouwing: jaar van de studie",
                                          "not_a_field"]
    assert labelled([FieldChange("minutes", None, 5)], "en")[0]["field"] != rows[0]["field"]
