"""The databank's record types, declared once.

Loading, validation messages, the curator form and the field reference in
``instruments/README.md`` are all derived from these models, so code and docs cannot drift.
Models are strict: YAML already gives real ints, bools and dates, and a curator who writes
``items: "12"`` should hear about it rather than have it silently converted.
"""

from __future__ import annotations

import datetime as dt
import typing
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

#: The five branches of the Beslisboom, in the order the seed document gives them.
#: They are both the question ids and the instrument field names.
BRANCHES: tuple[str, ...] = ("doelgroep", "thema", "meten", "gegevens", "uitvoering")

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=60)]
#: Characters that have no place in a text: C0/C1 controls (except tab and line ends) and the
#: Unicode line and paragraph separators, which YAML reads as line breaks and layouts break on.
CONTROL_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029"
TEXT_PATTERN = f"^[^{CONTROL_CHARS}]*$"
CONTROL_MESSAGE = (
    "bevat een onzichtbaar stuurteken (bijv. U+0085); typ de tekst opnieuw / contains a control character"
)
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True, pattern=TEXT_PATTERN)]
#: http(s) only, and none of the characters that let a URL break out of Markdown or HTML.
HttpUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s<>\"'`\\]+$", max_length=2000)]
OptionList = Annotated[list[Slug], Field(min_length=1)]

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)

#: What kind of thing a record is. The ids are data; their labels live in the locales
#: (``kind.<id>``). The groups below drive the domain rules and the facts a card needs.
Kind = Literal[
    "vragenlijst",
    "schaal",
    "checklist",
    "screening",
    "gespreksinstrument",
    "matrix",
    "observatie",
    "interview",
    "registratie",
    "monitor",
    "methode",
    "groepsmethode",
    "economische-evaluatie",
    "raamwerk",
]
KINDS: tuple[str, ...] = typing.get_args(Kind)
#: Kinds a person fills in or is scored on: a team leader needs their items and minutes.
QUESTIONNAIRE_KINDS: frozenset[str] = frozenset({"vragenlijst", "schaal", "checklist", "screening"})
#: Kinds that find a need or open a conversation; they show change only when repeated.
SIGNAL_KINDS: frozenset[str] = frozenset({"screening", "gespreksinstrument"})
#: Methods, frameworks and return calculations: not a measuring scale (label ``methode``); they have
#: no questions or minutes per person, and their cost category is about the method itself.
METHOD_KINDS: frozenset[str] = frozenset({"methode", "groepsmethode", "economische-evaluatie", "raamwerk"})

#: Cost categories, cheapest first (the ranking uses this order).
Cost = Literal["gratis", "gratis-voorwaarden", "betaald", "licentie"]
COSTS: tuple[str, ...] = typing.get_args(Cost)
#: Costs that let a team do it themselves (uitvoering: zelf).
FREE_COSTS: frozenset[str] = frozenset({"gratis", "gratis-voorwaarden"})

#: The quality label, strongest evidence first (the ranking uses this order). Modelled on
#: what COTAN and COSMIN look at (is there a study of reliability and validity, and of which
#: language version?) without copying their ratings.
Quality = Literal["getoetst-nl", "getoetst-buitenland", "praktijk", "methode"]
QUALITIES: tuple[str, ...] = typing.get_args(Quality)
TESTED_QUALITIES: frozenset[str] = frozenset({"getoetst-nl", "getoetst-buitenland"})
Property = Literal[
    "betrouwbaarheid", "begripsvaliditeit", "criteriumvaliditeit", "inhoudsvaliditeit", "responsiviteit", "normen"
]
Direction = Literal["hoger-is-beter", "hoger-is-slechter"]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]


class Text(BaseModel):
    """A text in Dutch (always) and English (for international colleagues)."""

    model_config = _STRICT
    nl: NonEmpty = Field(description="In het Nederlands.")
    en: NonEmpty = Field(description="In het Engels.")

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


class Option(BaseModel):
    model_config = _STRICT
    id: Slug = Field(description="Vaste id van de optie; staat in deelbare links.")
    label: Text = Field(description="Naam van de optie zoals gebruikers die zien.")
    explanation: Text = Field(description="Korte uitleg in gewone taal.")
    broader: Slug | None = Field(
        default=None,
        description="Bredere optie: wie deze optie kiest, krijgt ook instrumenten voor de bredere.",
    )
    combines: list[Slug] | None = Field(
        default=None,
        description="Een instrument heeft deze optie als het al deze opties heeft (bijv. beide).",
    )
    formerly: list[Slug] | None = Field(
        default=None,
        description="Vroegere ids van deze optie (hernoemen vult dit zelf): oude gedeelde links blijven werken.",
    )


class Question(BaseModel):
    model_config = _STRICT
    id: Literal["doelgroep", "thema", "meten", "gegevens", "uitvoering"]
    label: Text
    help: Text = Field(description="Helpt de gebruiker te verhelderen wat hij wil weten.")
    multiple: bool = Field(description="Mag de gebruiker meer antwoorden kiezen?")
    options: Annotated[list[Option], Field(min_length=1)]

    @model_validator(mode="after")
    def _options_consistent(self) -> Question:
        ids = [o.id for o in self.options]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"optie-id dubbel / duplicate option id: {', '.join(dup)}")
        known = set(ids)
        former = [f for o in self.options for f in (o.formerly or [])]
        clash = sorted({f for f in former if f in known or former.count(f) > 1})
        if clash:
            raise ValueError(
                f"vroegere id ook in gebruik of dubbel / former id in use or duplicated: {', '.join(clash)}"
            )
        for opt in self.options:
            refs = ([opt.broader] if opt.broader else []) + list(opt.combines or [])
            for ref in refs:
                if ref not in known:
                    raise ValueError(f"optie '{opt.id}' verwijst naar onbekende optie '{ref}'")
        # broader chains must end: a cycle would make every option match every other.
        parent = {o.id: o.broader for o in self.options}
        for start in ids:
            seen, cur = set(), start
            while cur is not None:
                if cur in seen:
                    raise ValueError(f"'broader' vormt een kring bij optie '{start}'")
                seen.add(cur)
                cur = parent.get(cur)
        return self


class Taxonomy(BaseModel):
    model_config = _STRICT
    questions: Annotated[list[Question], Field(min_length=5, max_length=5)]

    @model_validator(mode="after")
    def _all_branches(self) -> Taxonomy:
        ids = tuple(q.id for q in self.questions)
        if ids != BRANCHES:
            raise ValueError(f"de vragen moeten precies {', '.join(BRANCHES)} zijn, in die volgorde")
        return self

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def option(self, qid: str, oid: str) -> Option:
        for o in self.question(qid).options:
            if o.id == oid:
                return o
        raise KeyError((qid, oid))

    def option_ids(self, qid: str) -> list[str]:
        return [o.id for o in self.question(qid).options]

    def current_id(self, qid: str, oid: str) -> str | None:
        """``oid`` as it is called now: itself, the option it was renamed to, or None if unknown.

        Links shared before a curator renamed an option carry the old id; they should still
        land on the same answer rather than silently lose it.
        """
        for o in self.question(qid).options:
            if o.id == oid or oid in (o.formerly or []):
                return o.id
        return None


class PairExclusion(BaseModel):
    """A doelgroep × thema combination that needs no instrument of its own, and why."""

    model_config = _STRICT
    doelgroep: Slug
    thema: Slug
    why: NonEmpty = Field(description="Waarom deze combinatie geen eigen instrument nodig heeft.")


class CoveragePlan(BaseModel):
    """Which doelgroep × thema pairs must have a specific effect instrument (``_coverage.yaml``).

    Every pair counts unless it is listed here: a curator names the exceptions, with a reason,
    rather than the rule, so a new option is covered by default.
    """

    model_config = _STRICT
    not_meaningful: list[PairExclusion] = Field(default_factory=list)


class Source(BaseModel):
    model_config = _STRICT
    title: NonEmpty = Field(description="Titel van de bron.")
    url: HttpUrl = Field(description="Webadres (http of https).")


class QualityBasis(BaseModel):
    """The study or review a quality label rests on: a reader can look it up and see its age."""

    model_config = _STRICT
    reference: NonEmpty = Field(description="De studie of review: auteurs (jaar), titel of tijdschrift.")
    year: Annotated[int, Field(ge=1900, le=2100)] = Field(description="Jaar van die studie of review.")
    url: HttpUrl | None = Field(default=None, description="Waar de studie te vinden is (ook onder bronnen).")
    tested: Annotated[list[Property], Field(min_length=1)] = Field(
        description="Wat de studie onderzocht: betrouwbaarheid, begripsvaliditeit, criteriumvaliditeit, "
        "inhoudsvaliditeit, responsiviteit, normen."
    )


class Scoring(BaseModel):
    """How a score reads, so a plan can say what a change means. Every number is from a source."""

    model_config = _STRICT
    min: int | float | None = Field(default=None, description="Laagst mogelijke score.")
    max: int | float | None = Field(default=None, description="Hoogst mogelijke score.")
    direction: Direction | None = Field(default=None, description="hoger-is-beter of hoger-is-slechter.")
    interpretation: Text | None = Field(
        default=None, description="Gepubliceerde afkappunten of normen, met de getallen uit de bron."
    )
    reference: NonEmpty | None = Field(
        default=None,
        description="Waar de scoring vandaan komt (handleiding of studie, met jaar); staat ook onder sources.",
    )


class Instrument(BaseModel):
    """One measuring instrument or method. Field order here is the order written to YAML."""

    model_config = _STRICT

    id: Slug = Field(description="Korte vaste naam in kleine letters en streepjes; gelijk aan de bestandsnaam.")
    name: NonEmpty = Field(description="Officiële (Nederlandse) naam.")
    name_en: NonEmpty | None = Field(default=None, description="Engelse naam.")
    abbreviation: NonEmpty | None = Field(default=None, description="Afkorting, bijv. ZRM.")
    abbreviation_en: NonEmpty | None = Field(
        default=None,
        description="Engelse afkorting, alleen als die anders is (PAR voor PAO); leeg: de Nederlandse, of geen.",
    )
    summary: NonEmpty = Field(description="2–4 zinnen in gewone taal (B1): wat het meet, voor wie, hoe.")
    summary_en: NonEmpty | None = Field(default=None, description="Dezelfde samenvatting in het Engels.")
    kind: Kind = Field(description="Soort: " + ", ".join(KINDS) + ".")
    measures: NonEmpty | None = Field(default=None, description="Wat het meet (het begrip), kort.")
    measures_en: NonEmpty | None = Field(default=None, description="Wat het meet, in het Engels.")
    doelgroep: OptionList = Field(description="Doelgroepen (optie-ids van vraag doelgroep).")
    thema: OptionList = Field(description="Thema's (optie-ids van vraag thema).")
    meten: OptionList = Field(
        description="Wat het meet (optie-ids van vraag meten). Tevredenheid is `ervaring`, nooit `effect-client`."
    )
    gegevens: OptionList = Field(description="`cijfers` en/of `verhalen`; beide noemen als het beide oplevert.")
    uitvoering: OptionList = Field(
        description=(
            "Wie het uitvoert. `zelf`: het eigen team kan het afnemen en lezen (zelfinvullijst, gesprek, "
            "handleiding), zonder licentie of verplichte training; onbekende kosten staan dat niet in de weg. "
            "`mix`: deels met hulp van buiten (training, licentie, externe verwerking). `uitbesteden`: anderen "
            "voeren het uit (een monitor van GGD of CBS, een onderzoeksbureau)."
        )
    )
    items: Annotated[int, Field(ge=1, le=1000)] | None = Field(
        default=None, description="Aantal vragen, items of domeinen."
    )
    minutes: Annotated[int, Field(ge=1, le=10000)] | None = Field(
        default=None, description="Afnametijd per persoon in minuten."
    )
    administered_by: NonEmpty | None = Field(default=None, description="Wie het afneemt of invult.")
    administered_by_en: NonEmpty | None = Field(default=None, description="Wie het afneemt, in het Engels.")
    training_required: bool | None = Field(default=None, description="Is een (gecertificeerde) training nodig?")
    cost: Cost | None = Field(
        default=None,
        description=(
            "gratis, gratis-voorwaarden (registratie, bronvermelding, niet wijzigen), betaald of licentie. "
            "Bij een methode of kader: wat de methode zelf kost (handleiding, licentie, verplichte training), "
            "niet de tijd van het uitvoeren. Bij een monitor: wat het kost om de uitkomsten te gebruiken. "
            "Alleen met een bron; anders leeg laten en in curator_note zeggen wat is gezocht."
        ),
    )
    cost_note: NonEmpty | None = Field(default=None, description="Toelichting op kosten of licentie.")
    cost_note_en: NonEmpty | None = Field(default=None, description="Toelichting op kosten, in het Engels.")
    languages: list[LanguageCode] | None = Field(
        default=None, description="Taalversies als ISO-code: nl, en, tr, ar, …"
    )
    easy_read: bool | None = Field(default=None, description="Is er een versie voor laaggeletterden?")
    quality: Quality | None = Field(
        default=None,
        description="Kwaliteitslabel: getoetst-nl, getoetst-buitenland, praktijk of methode.",
    )
    quality_basis: QualityBasis | None = Field(
        default=None, description="De studie of review onder het label (nodig bij getoetst-nl en getoetst-buitenland)."
    )
    quality_note: NonEmpty | None = Field(default=None, description="Wat bekend is over de kwaliteit, in gewone taal.")
    quality_note_en: NonEmpty | None = Field(default=None, description="Kwaliteit, in het Engels.")
    scoring: Scoring | None = Field(default=None, description="Hoe de score te lezen is (bereik, richting, normen).")
    interval_years: Annotated[int, Field(ge=1, le=20)] | None = Field(
        default=None, description="Alleen bij een monitor: om de hoeveel jaar een nieuwe meting verschijnt."
    )
    authors: NonEmpty | None = Field(default=None, description="Makers of eigenaar.")
    year: Annotated[int, Field(ge=1900, le=2100)] | None = Field(
        default=None, description="Jaar van (de gebruikte versie van) het instrument."
    )
    url: HttpUrl | None = Field(default=None, description="Waar een gebruiker het instrument krijgt.")
    status: Literal["actief", "concept", "ingetrokken"] = Field(
        default="actief",
        description="`concept` (nog niet af, bijv. een voorstel uit de praktijk) en `ingetrokken` verschijnen nooit "
        "in de resultaten.",
    )
    related: list[Slug] | None = Field(
        default=None, description="Ids van instrumenten die er goed bij passen (tellen en vertellen)."
    )
    curator_note: NonEmpty | None = Field(
        default=None, description="Notitie voor curatoren; niet zichtbaar in de wizard."
    )
    sources: Annotated[list[Source], Field(min_length=1)] = Field(description="Bronnen voor alle feiten in dit record.")
    last_reviewed: dt.date = Field(description="Datum waarop het record is gecontroleerd (JJJJ-MM-DD).")

    @property
    def active(self) -> bool:
        return self.status == "actief"

    def options(self, qid: str) -> list[str]:
        return list(getattr(self, qid))

    @model_validator(mode="after")
    def _basis_for_tested(self) -> Instrument:
        if self.quality in TESTED_QUALITIES and self.quality_basis is None:
            raise ValueError("quality_basis is nodig bij een getoetst-label / needed for a 'getoetst' label")
        return self

    def to_record(self) -> dict:
        """Plain data in schema order, leaving out empty optional fields and defaults (for YAML and JSON)."""
        out = self.model_dump(mode="python", exclude_none=True)
        return {k: v for k, v in out.items() if k not in WRITTEN_DEFAULTS or v != WRITTEN_DEFAULTS[k]}


#: Defaults a file never spells out (``status: actief``), from the field declarations themselves.
WRITTEN_DEFAULTS: dict[str, object] = {
    name: f.default for name, f in Instrument.model_fields.items() if not f.is_required() and f.default is not None
}
REQUIRED_FIELDS: tuple[str, ...] = tuple(name for name, f in Instrument.model_fields.items() if f.is_required())
#: Facts a curator should fill in when a source allows; the dashboard lists records without them.
#: Items and minutes only count for what a person fills in (QUESTIONNAIRE_KINDS).
RECOMMENDED_FIELDS: tuple[str, ...] = ("items", "minutes", "cost", "quality")


def recommended_for(inst: Instrument) -> tuple[str, ...]:
    if inst.kind in QUESTIONNAIRE_KINDS:
        return RECOMMENDED_FIELDS
    return tuple(f for f in RECOMMENDED_FIELDS if f not in ("items", "minutes"))
