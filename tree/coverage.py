"""How well the databank covers each answer option, read from the graph."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from .databank import Databank, Problem, validation_problems
from .safe_files import UnsafeFile, read_inside
from .schema import CoveragePlan
from .yamlio import MAX_FILE_BYTES, YamlProblem, parse_yaml

COVERAGE_FILE = "_coverage.yaml"
#: What an effect instrument measures: change for the person or in the area.
EFFECT_OPTIONS = frozenset({"effect-client", "effect-omgeving"})

MIN_PER_OPTION = 2


@dataclass(frozen=True)
class OptionCoverage:
    question: str
    option: str
    direct: int  # active instruments tagged with this option
    effective: int  # active instruments a user gets when choosing it (incl. broader options)

    @property
    def thin(self) -> bool:
        return self.direct < MIN_PER_OPTION


def option_coverage(bank: Databank) -> list[OptionCoverage]:
    idx = bank.index
    out = []
    for q in bank.taxonomy.questions:
        for o in q.options:
            key = (q.id, o.id)
            direct = idx.effective[key] if o.combines else idx.direct[key]
            out.append(OptionCoverage(q.id, o.id, direct.bit_count(), idx.effective[key].bit_count()))
    return out


def matrix(bank: Databank, rows: str = "doelgroep", cols: str = "thema") -> dict[str, dict[str, int]]:
    """Active instruments per (row option, column option), counting broader options too."""
    idx = bank.index
    return {
        r.id: {
            c.id: (idx.effective[(rows, r.id)] & idx.effective[(cols, c.id)]).bit_count()
            for c in bank.taxonomy.question(cols).options
        }
        for r in bank.taxonomy.question(rows).options
    }


def load_plan(bank: Databank) -> tuple[CoveragePlan, list[Problem]]:
    """The curators' coverage plan; a missing file means every pair counts, a broken one says why."""
    if not (bank.path / COVERAGE_FILE).exists():
        return CoveragePlan(), []
    try:
        text = read_inside(bank.path, COVERAGE_FILE, MAX_FILE_BYTES).decode("utf-8-sig")
        parsed = parse_yaml(text)
    except (UnsafeFile, UnicodeDecodeError) as exc:
        return CoveragePlan(), [Problem(COVERAGE_FILE, None, None, str(exc))]
    except YamlProblem as p:
        return CoveragePlan(), [Problem(COVERAGE_FILE, p.line, p.field, p.message)]
    try:
        plan = CoveragePlan.model_validate(parsed.data or {})
    except ValidationError as err:
        return CoveragePlan(), validation_problems(COVERAGE_FILE, err, parsed)
    problems = []
    known = {q: set(bank.taxonomy.option_ids(q)) for q in ("doelgroep", "thema")}
    for n, ex in enumerate(plan.not_meaningful):
        for qid in ("doelgroep", "thema"):
            if getattr(ex, qid) not in known[qid]:
                line = parsed.line_of(("not_meaningful", n, qid))
                problems.append(Problem(COVERAGE_FILE, line, qid, f"onbekende optie '{getattr(ex, qid)}'"))
    return plan, problems


@dataclass(frozen=True)
class PairGap:
    doelgroep: str
    thema: str
    via_broader: int  # effect instruments a user still gets through a broader option


def specific_effect_counts(bank: Databank) -> dict[tuple[str, str], int]:
    """Active effect instruments tagged *directly* with both the group and the theme."""
    counts: dict[tuple[str, str], int] = {}
    for inst in bank.active:
        if not EFFECT_OPTIONS & set(inst.meten):
            continue
        for d in inst.doelgroep:
            for th in inst.thema:
                counts[(d, th)] = counts.get((d, th), 0) + 1
    return counts


def pair_gaps(bank: Databank) -> list[PairGap]:
    """Meaningful doelgroep × thema pairs without a specific effect instrument (the research list).

    Umbrella options (``iedereen``, ``alle-themas``: those without a broader option) are not pairs
    of their own.
    """
    plan, _ = load_plan(bank)
    skip = {(ex.doelgroep, ex.thema) for ex in plan.not_meaningful}
    counts = specific_effect_counts(bank)
    effect = bank.index.answer_mask("meten", sorted(EFFECT_OPTIONS))
    out = []
    for d in bank.taxonomy.question("doelgroep").options:
        for th in bank.taxonomy.question("thema").options:
            if d.broader is None or th.broader is None or (d.id, th.id) in skip:
                continue
            if counts.get((d.id, th.id), 0) == 0:
                idx = bank.index
                broad = (idx.effective[("doelgroep", d.id)] & idx.effective[("thema", th.id)] & effect).bit_count()
                out.append(PairGap(d.id, th.id, broad))
    return out
