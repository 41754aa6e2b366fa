"""From five answers to ranked, explained instruments.

Within a question the chosen options are OR, across questions AND, and a question with no
chosen option is no filter ("weet ik niet / geen voorkeur"). Ranking: exact matches first,
then the nearest ones (fewest missed answers); within each, direct fits before fits through a
broader option (fewest such hops first); within equal fit, validated in NL, then free, then
fewer minutes, then name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import NamedTuple

from .databank import Databank
from .graph import rank_key
from .index import Index
from .schema import BRANCHES, Instrument

Answers = Mapping[str, Sequence[str]]


class Fit(NamedTuple):
    """Why an instrument fits one answer."""

    question: str
    chosen: str  # the option the user chose
    via: str  # the option the instrument is tagged with (== chosen when direct)

    @property
    def direct(self) -> bool:
        return self.chosen == self.via


class Match(NamedTuple):
    instrument: Instrument
    fits: tuple[Fit, ...]
    misses: tuple[str, ...]  # question ids whose answer the instrument does not fit

    @property
    def exact(self) -> bool:
        return not self.misses


@dataclass(frozen=True)
class Relaxation:
    """Dropping the answer to one question would give this many exact matches, of which
    ``specific_count`` fit the chosen doelgroep and thema directly (not only as a generic method
    for "alle doelgroepen" or "alle thema's")."""

    question: str
    exact_count: int
    specific_count: int = 0


#: The questions that say what the team wants to know; the other two (type of data, who carries
#: it out) are practical. A tip first suggests letting go of a practical answer.
CONTENT_QUESTIONS = ("doelgroep", "thema", "meten")


def _relaxation_order(r: Relaxation) -> tuple:
    """Best tip first: one that yields instruments for this group and theme (a tip that only
    yields generic frameworks helps nobody, however many), then one that keeps what was asked
    (dropping "cliëntervaring" to find effect measures answers another question), then more."""
    return (r.specific_count == 0, r.question in CONTENT_QUESTIONS, -r.specific_count, -r.exact_count,
            BRANCHES.index(r.question))


@dataclass(frozen=True)
class Bundle:
    """Tellen én vertellen: instruments that together yield numbers and stories."""

    parts: tuple[Match, ...]
    related: bool  # the instruments name each other in ``related``


@dataclass
class Recommendation:
    answers: dict[str, list[str]]
    exact_count: int
    matches: list[Match]
    near: list[Match]
    near_misses: int  # how many answers the near matches miss (0 when there are none)
    relaxations: list[Relaxation]
    bundles: list[Bundle]
    ignored: list[tuple[str, str]] = field(default_factory=list)  # unknown (question, option)

    @property
    def headline(self) -> Bundle | None:
        """For 'cijfers én verhalen' the best bundle leads the advice.

        A single instrument that yields both is usually a generic method or framework; the
        specific answer is a numbers instrument for this group and theme plus a stories method.
        The bundle leads unless the best exact match fits every answer directly and is itself a
        measuring instrument: a conversation tool or method whose developer says it measures
        nothing (label ``methode``) yields stories, but its "numbers" are no measurement.
        """
        if not self.bundles:
            return None
        if self.matches and _generic_fits(self.matches[0]) == 0 and self.matches[0].instrument.quality != "methode":
            return None
        return self.bundles[0]

    @property
    def best_relaxation(self) -> Relaxation | None:
        return self.relaxations[0] if self.relaxations and self.relaxations[0].exact_count else None


def normalise_answers(bank: Databank, answers: Answers) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Keep known question/option ids (in taxonomy order, without repeats); report the rest."""
    clean: dict[str, list[str]] = {q: [] for q in BRANCHES}
    ignored: list[tuple[str, str]] = []
    for qid, oids in answers.items():
        if qid not in clean:
            ignored.extend((qid, o) for o in oids)
            continue
        known = bank.taxonomy.option_ids(qid)
        chosen = set()
        for oid in oids:
            current = oid if oid in known else bank.taxonomy.current_id(qid, oid)  # renamed since
            if current is None:
                ignored.append((qid, oid))
            else:
                chosen.add(current)
        clean[qid] = [o for o in known if o in chosen]
        if not bank.taxonomy.question(qid).multiple and len(clean[qid]) > 1:
            clean[qid] = clean[qid][:1]
    return clean, ignored


def explain(bank: Databank, inst: Instrument, answers: Mapping[str, Sequence[str]]) -> Match:
    """Say, per answered question, which chosen option the instrument fits and via what.

    A direct tag wins over a fit through a broader option, so the explanation is the most
    specific one available.
    """
    fits, misses = [], []
    idx = bank.index
    tags_by_q = idx.tags[inst.id]
    for qid in BRANCHES:
        chosen = answers.get(qid)
        if not chosen:
            continue
        tags = tags_by_q[qid]
        fit = None
        for oid in chosen:
            parts = idx.combines.get((qid, oid))
            if parts:
                if tags.issuperset(parts):
                    fit = Fit(qid, oid, oid)
                    break
                continue
            for candidate in idx.chains[(qid, oid)]:
                if candidate in tags:
                    if candidate == oid:
                        fit = Fit(qid, oid, oid)
                    elif fit is None:
                        fit = Fit(qid, oid, candidate)
                    break
            if fit is not None and fit.via == oid:
                break
        if fit is None:
            misses.append(qid)
        else:
            fits.append(fit)
    return Match(inst, tuple(fits), tuple(misses))


def _generic_fits(match: Match) -> int:
    """How many answers about the content (group, theme, what to measure) the instrument fits only
    through a broader option (0 = fully specific). A practical answer met through a broader one
    ("mix" by an instrument a team can do itself) makes an instrument no less specific."""
    return sum(1 for f in match.fits if not f.direct and f.question in CONTENT_QUESTIONS)


def _bundles(
    bank: Databank, masks: dict[str, int], direct: dict[str, int], answers: dict[str, list[str]], limit: int
) -> list[Bundle]:
    idx = bank.index
    combined = [o for o in answers.get("gegevens", []) if bank.taxonomy.option("gegevens", o).combines]
    if not combined:
        return []
    parts = bank.taxonomy.option("gegevens", combined[0]).combines or []
    others = idx.all_bits
    for qid, m in masks.items():
        if qid != "gegevens":
            others &= m
    # each slot: instruments that yield this part and none of the other parts
    slots = []
    for part in parts:
        mask = others & idx.effective[("gegevens", part)]
        for other in parts:
            if other != part:
                mask &= ~idx.effective[("gegevens", other)]
        # most specific first: a loneliness scale before a generic survey for 'alle thema's'
        slots.append(_by_specificity(idx, mask, direct, 10))
    if len(slots) != 2 or not all(slots):
        return []
    numbers, stories = slots
    insts = bank.instruments
    explained = {i: explain(bank, insts[i], answers) for i in (*numbers, *stories)}
    pairs: list[tuple[tuple[int, int, int], str, str]] = []
    for a in numbers:
        for b in stories:
            related = b in (insts[a].related or []) or a in (insts[b].related or [])
            # the numbers instrument carries the specific answer; stories methods are mostly generic
            score = (_generic_fits(explained[a]), 0 if related else 1, idx.position[a] + idx.position[b])
            pairs.append((score, a, b))
    pairs.sort()
    out: list[Bundle] = []
    used: Counter[str] = Counter()
    for (_, rel_flag, _), a, b in pairs:
        # vary the bundles: each instrument in at most two of them
        if used[a] >= 2 or used[b] >= 2:
            continue
        out.append(Bundle((explained[a], explained[b]), rel_flag == 0))
        used.update((a, b))
        if len(out) >= limit:
            break
    return out


def _by_specificity(
    idx: Index, mask: int, direct: dict[str, int], limit: int | None, tiers: dict[str, int] | None = None
) -> list[str]:
    """Instrument ids in ``mask``: first those that fit every answer directly, then those that
    need one broader option (a generic method for 'alle doelgroepen'), and so on; within each
    tier in rank order. A specific instrument is a better fit than a generic one. ``tiers``, when
    given, receives each id's tier (for the usage tie-breaker)."""
    out: list[str] = []
    seen = 0
    qids = list(direct)
    for k in range(len(qids) + 1):
        tier = 0
        for keep in combinations(qids, len(qids) - k):
            m = mask
            for q in keep:
                m &= direct[q]
            tier |= m
        tier &= ~seen
        seen |= tier
        ids = list(idx.iter_ids(tier, None if limit is None else limit - len(out)))
        if tiers is not None:
            tiers.update(dict.fromkeys(ids, k))
        out.extend(ids)
        if (limit is not None and len(out) >= limit) or seen == mask:
            break
    return out


def _by_usage(bank: Databank, ids: list[str], tiers: dict[str, int], usage: Mapping[str, int] | None) -> list[str]:
    """Within a run of equal fit and equal rank (label, cost, minutes), the more used first."""
    if not usage:
        return ids

    def group(iid: str) -> tuple:
        return (tiers.get(iid, 0), *rank_key(bank.instruments[iid])[:-1])

    return sorted(ids, key=lambda iid: (*group(iid), -usage.get(iid, 0), rank_key(bank.instruments[iid])[-1]))


def recommend(
    bank: Databank,
    answers: Answers,
    *,
    limit: int | None = None,
    near_limit: int = 10,
    bundle_limit: int = 5,
    usage: Mapping[str, int] | None = None,
) -> Recommendation:
    """Rank the databank's active instruments against the user's answers.

    ``answers`` maps question id → chosen option ids (empty list or missing = no preference).
    Unknown ids never raise: they are ignored and listed in ``Recommendation.ignored``.
    ``usage`` ("gebruikt door N organisaties", from approved experiences) is the last
    tie-breaker: between instruments of equal fit, label, cost and minutes, the more used one
    comes first, before the name decides.
    """
    clean, ignored = normalise_answers(bank, answers)
    idx = bank.index
    masks = {qid: idx.answer_mask(qid, oids) for qid, oids in clean.items() if oids}
    # specificity is about what an instrument is for (group, theme, what it measures); the practical
    # answers only filter (an instrument a team does itself fits "mix" as well as a mix one does)
    direct = {qid: idx.direct_answer_mask(qid, oids) for qid, oids in clean.items()
              if oids and qid in CONTENT_QUESTIONS}
    exact = idx.all_bits
    for m in masks.values():
        exact &= m
    insts = bank.instruments
    tiers: dict[str, int] = {}
    ordered = _by_usage(bank, _by_specificity(idx, exact, direct, limit, tiers), tiers, usage)
    matches = [explain(bank, insts[i], clean) for i in ordered]

    # nearest: instruments that fit all but k answers, for the smallest k that has any
    near: list[Match] = []
    near_misses = 0
    qids = list(masks)
    seen = exact
    for k in range(1, len(qids) + 1):
        level = 0
        for keep in combinations(qids, len(qids) - k):
            m = idx.all_bits
            for q in keep:
                m &= masks[q]
            level |= m
        level &= ~seen
        if level:
            # missing only a practical answer (type of data, who carries it out) is nearer than
            # missing the group, theme or what to measure: a parenting self-efficacy scale that
            # needs outside help answers a parent-confidence question; a depression screen does not
            content = idx.all_bits
            for q in CONTENT_QUESTIONS:
                if q in masks:
                    content &= masks[q]
            ordered = []
            for part in (level & content, level & ~content):
                tiers = {}
                room = near_limit - len(ordered)
                if part and room > 0:
                    ordered += _by_usage(bank, _by_specificity(idx, part, direct, room, tiers), tiers, usage)
            near = [explain(bank, insts[i], clean) for i in ordered]
            near_misses = k
            break

    relaxations = []
    if len(qids) > 0:
        for q in qids:
            m = idx.all_bits
            for other in qids:
                if other != q:
                    m &= masks[other]
            # letting go of the group or theme itself yields instruments for another group or
            # theme: none of them is "for this group and theme"
            specific = 0 if q in ("doelgroep", "thema") else m
            for other in ("doelgroep", "thema"):
                if other in direct:
                    specific &= direct[other]
            relaxations.append(Relaxation(q, m.bit_count(), specific.bit_count()))
        relaxations.sort(key=_relaxation_order)

    bundles = _bundles(bank, masks, direct, clean, bundle_limit)
    return Recommendation(clean, exact.bit_count(), matches, near, near_misses, relaxations, bundles, ignored)


def count_fitting(bank: Databank, answers: Answers) -> int:
    """How many active instruments fit every answer (for the wizard's live count)."""
    clean, _ = normalise_answers(bank, answers)
    idx = bank.index
    exact = idx.all_bits
    for qid, oids in clean.items():
        if oids:
            exact &= idx.answer_mask(qid, oids)
    return exact.bit_count()
