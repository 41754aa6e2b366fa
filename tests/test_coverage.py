"""Coverage: options, and doelgroep × thema pairs that need a specific effect instrument (issue 10)."""

from __future__ import annotations

import subprocess
import sys

from tree import coverage, load_databank

from .conftest import ROOT, record, write_record


def test_a_pair_needs_a_direct_effect_instrument(bank_dir, make_bank):
    bank = make_bank(
        record("breed", doelgroep=["volwassenen"], thema=["eenzaamheid"]),
        record("ervaring-oud", doelgroep=["ouderen"], thema=["eenzaamheid"], meten=["ervaring"]),
    )
    gaps = {(g.doelgroep, g.thema): g for g in coverage.pair_gaps(bank)}
    # ouderen × eenzaamheid: only a broader instrument and an experience survey → still a gap
    assert ("ouderen", "eenzaamheid") in gaps and gaps[("ouderen", "eenzaamheid")].via_broader == 1
    assert ("volwassenen", "eenzaamheid") not in gaps
    write_record(bank_dir, record("oud", doelgroep=["ouderen"], thema=["eenzaamheid"]))
    bank = load_databank(bank_dir)
    assert ("ouderen", "eenzaamheid") not in {(g.doelgroep, g.thema) for g in coverage.pair_gaps(bank)}
    # umbrella options are no pairs of their own
    assert not any(g.doelgroep == "iedereen" or g.thema == "alle-themas" for g in coverage.pair_gaps(bank))


def test_curators_name_the_pairs_that_need_none(bank_dir, make_bank):
    (bank_dir / "_coverage.yaml").write_text(
        "not_meaningful:\n  - doelgroep: ouderen\n    thema: opvoeding\n    why: Valt onder ouders.\n",
        encoding="utf-8",
    )
    bank = make_bank(record("a"))
    assert ("ouderen", "opvoeding") not in {(g.doelgroep, g.thema) for g in coverage.pair_gaps(bank)}
    assert ("ouderen", "eenzaamheid") in {(g.doelgroep, g.thema) for g in coverage.pair_gaps(bank)}
    assert "_coverage.yaml" not in bank.files.values() and not bank.problems  # not read as an instrument


def test_a_broken_coverage_plan_is_located(bank_dir, make_bank):
    (bank_dir / "_coverage.yaml").write_text(
        "not_meaningful:\n  - doelgroep: marsmannetjes\n    thema: opvoeding\n    why: x\n", encoding="utf-8"
    )
    bank = make_bank(record("a"))
    _, problems = coverage.load_plan(bank)
    assert [(p.file, p.line, p.field) for p in problems] == [("_coverage.yaml", 2, "doelgroep")]


def test_validate_reports_rule_problems_with_file_and_line(bank_dir):
    write_record(bank_dir, record("zonder-label", name_en="X", summary_en="X", measures="M", measures_en="M",
                                  uitvoering=["zelf"], cost="licentie", cost_note="Licentie.",
                                  cost_note_en="Licence."))
    out = subprocess.run(
        [sys.executable, "-m", "tree", "validate", "--databank", str(bank_dir)],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert any(line.startswith("zonder-label.yaml:") and ": quality: " in line for line in lines), lines
    assert any(": uitvoering: " in line for line in lines)  # zelf with a licence


def test_shipped_coverage_plan_is_valid():
    bank = load_databank()
    _, problems = coverage.load_plan(bank)
    assert problems == []
