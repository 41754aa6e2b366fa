"""The field's truths as checks on a record: what the schema's types cannot say.

A record can be well-formed and still mislead a team leader: a satisfaction survey tagged as an
effect, a monitor that claims to show change but is measured once, a licensed instrument offered
as "zelf doen", a Dutch fact with no English twin. These rules say so, with the field to fix.
They run in ``validate``, on the curator dashboard, and before a curator's save is written.

They are separate from the schema because they are editorial: a record that breaks one still
loads (the wizard keeps serving it) but it is not publishable as it stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .databank import Databank, Problem
from .safe_files import UnsafeFile, read_inside
from .schema import METHOD_KINDS, QUESTIONNAIRE_KINDS, Instrument
from .yamlio import MAX_FILE_BYTES

#: Dutch free-text fields and their English twins; both languages show every one of them.
TWINS: tuple[tuple[str, str], ...] = (
    ("name", "name_en"),
    ("summary", "summary_en"),
    ("measures", "measures_en"),
    ("administered_by", "administered_by_en"),
    ("cost_note", "cost_note_en"),
    ("quality_note", "quality_note_en"),
)

#: Kinds that are no measuring scale: their quality label can only be ``methode``.

# Words that show an instrument asks about satisfaction with, or experience of, a service.
# Satisfaction with life (SWLS) is an outcome; satisfaction with a service is not.
_SATISFACTION = re.compile(
    r"(?:klant|cliënt|client|gebruikers|deelnemers)\s*-?tevredenheid"
    r"|tevreden(?:heid)? (?:met|over) (?:de |het )?(?:hulp|zorg|dienst|ondersteuning|begeleiding|activiteit|aanbod)"
    r"|klantervaring|cliëntervaring|clientervaring|ervaringen met de (?:hulp|zorg|dienst|ondersteuning)"
    r"|(?:client|customer|user|service) (?:satisfaction|experience)"
    r"|satisfaction with (?:the )?(?:service|care|support)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RuleProblem:
    field: str
    message: str


def _asks_about_satisfaction(inst: Instrument) -> bool:
    texts = (inst.name, inst.name_en or "", inst.measures or "", inst.measures_en or "")
    return any(_SATISFACTION.search(t) for t in texts)


def check(inst: Instrument) -> list[RuleProblem]:
    """Every editorial rule this record breaks; retired records are held to none."""
    if not inst.active:
        return []
    out: list[RuleProblem] = []
    for nl, en in TWINS:
        if getattr(inst, nl) is not None and getattr(inst, en) is None:
            out.append(RuleProblem(en, f"Engelse tekst ontbreekt bij '{nl}' / English twin of '{nl}' is missing"))
    if inst.measures is None:
        out.append(RuleProblem("measures", "zeg kort wat het meet / say briefly what it measures"))
    if inst.quality is None:
        out.append(RuleProblem("quality", "kwaliteitslabel ontbreekt / quality label is missing"))
    if inst.kind in METHOD_KINDS and inst.quality not in (None, "methode"):
        out.append(RuleProblem("quality", "een methode heeft label 'methode' / a method is labelled 'methode'"))
    if "zelf" in inst.uitvoering:
        # 'zelf' says who carries it out, not what it costs: an unknown or a paid cost leaves it
        # open (the cost filter answers that); a licence or a required training does not.
        if inst.cost == "licentie":
            out.append(
                RuleProblem("uitvoering", "'zelf' kan niet met een licentie / 'zelf' cannot need a licence")
            )
        if inst.kind == "monitor" and "uitbesteden" not in inst.uitvoering:
            # a population monitor is run by others (GGD, CBS, Nivel); using its figures is not doing it yourself
            out.append(
                RuleProblem("uitvoering", "een monitor voeren anderen uit: ook 'uitbesteden' / add 'uitbesteden'")
            )
        if inst.training_required:
            out.append(RuleProblem("uitvoering", "'zelf' kan niet als training nodig is / not with required training"))
    if _asks_about_satisfaction(inst) and "ervaring" not in inst.meten:
        out.append(
            RuleProblem("meten", "vraagt naar tevredenheid of ervaring: kies ook 'ervaring' / add 'ervaring'")
        )
    if "ervaring" in inst.meten and "effect-client" in inst.meten and not _has_outcome_part(inst):
        out.append(RuleProblem("meten", "tevredenheid is geen effect / satisfaction is not an effect"))
    if inst.kind == "monitor" and "effect-omgeving" in inst.meten and inst.interval_years is None:
        out.append(
            RuleProblem(
                "interval_years",
                "een monitor toont verandering alleen als hij herhaald wordt: vul interval_years in"
                " / a monitor shows change only when repeated",
            )
        )
    if inst.interval_years is not None and inst.kind != "monitor":
        out.append(RuleProblem("interval_years", "alleen voor een monitor / only for a monitor"))
    if inst.kind in QUESTIONNAIRE_KINDS and (inst.items is None or inst.minutes is None) and not inst.curator_note:
        out.append(
            RuleProblem(
                "curator_note",
                "aantal vragen of minuten onbekend: zeg in curator_note wat is gezocht"
                " / items or minutes unknown: say what was searched",
            )
        )
    s = inst.scoring
    if s is not None and s.min is not None and s.max is not None and s.min >= s.max:
        out.append(RuleProblem("scoring.max", "moet groter zijn dan min / must be larger than min"))
    return out


def _has_outcome_part(inst: Instrument) -> bool:
    """An instrument may measure both, when it has an outcome part next to a satisfaction part.

    The rule the field holds is that satisfaction alone never counts as an effect. An instrument
    whose 'measures' names an outcome (e.g. Outcome in Zicht: goals reached and satisfaction) may
    carry both tags; its card then says which part is which.
    """
    return bool(re.search(r"effect|doel|uitkomst|outcome|verander", inst.measures or "", re.IGNORECASE))


def field_line(text: str, field: str) -> int | None:
    """The line of a top-level key in a record's text (good enough to point a curator there)."""
    top = field.split(".", 1)[0]
    for n, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f"{top}:"):
            return n
    return None


def databank_problems(bank: Databank) -> list[Problem]:
    """Every rule problem of the databank's records, located like the loader's problems."""
    out: list[Problem] = []
    for iid in sorted(bank.instruments):
        found = check(bank.instruments[iid])
        if not found:
            continue
        file = bank.files[iid]
        try:
            text = read_inside(bank.path, file, MAX_FILE_BYTES).decode("utf-8-sig")
        except (UnsafeFile, UnicodeDecodeError):
            text = ""
        out.extend(Problem(file, field_line(text, p.field), p.field, p.message) for p in found)
    return out
