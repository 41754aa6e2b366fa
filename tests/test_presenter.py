"""The presenter's funnel, diagram, link and QR code tell the same story as the engine.

A workshop room trusts the projector; if the funnel disagreed with the wizard's live count, or
the QR code opened a different walk than the one on screen, the facilitator would lose the
room. So every number here is checked against ``count_fitting``, the diagram against the
graph, and the QR code against the link it must carry.
"""

from __future__ import annotations

import io
import random
import re
from itertools import pairwise
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import qrcode
from PIL import Image

import tree
from tree import BRANCHES, count_fitting
from tree.databank import QUESTIONS_FILE
from tree.links import parse_params, to_query
from tree.workshop.presenter import (
    CHOSEN_FILL,
    CURRENT_FILL,
    PATH,
    FunnelStep,
    funnel,
    qr_matrix,
    qr_png,
    room_link,
    tree_dot,
    walk_link,
)
from tree.yamlio import dump, load_plain

from .conftest import record

BANK = tree.load_databank()
EXAMPLE = {"doelgroep": ["ouderen"], "thema": ["eenzaamheid", "armoede-schulden"], "gegevens": ["cijfers"]}


# --- a small DOT reader, so the tests look at nodes and attributes, not at substrings ----------

_STR = r'"((?:[^"\\]|\\.)*)"'
_STATEMENT = re.compile(rf"\s*{_STR}(?:\s*->\s*{_STR})?\s*\[(.*)\];")
_HEADER = re.compile(r"\s*(graph|node|edge) \[.*\];")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def _attrs(text: str) -> dict[str, str]:
    pairs = re.findall(rf"(\w+)={_STR}", text)
    # nothing but key="value" pairs separated by commas: a broken quote would leave debris
    assert re.sub(rf"(\w+)={_STR}", "", text).replace(",", "").strip() == "", text
    return {key: _unescape(value) for key, value in pairs}


_RANK = re.compile(r'  \{rank=same; ((?:"(?:[^"\\]|\\.)*"; ?)+)\}')


def parse_columns(dot: str) -> list[list[str]]:
    """The ``rank=same`` groups: each question with the options that hang under it."""
    return [
        [_unescape(name) for name in re.findall(r'"((?:[^"\\]|\\.)*)";', m.group(1))]
        for m in map(_RANK.fullmatch, dot.splitlines())
        if m
    ]


def parse_dot(dot: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]], dict[str, str]]:
    """(nodes by id, edges in order, the default node attributes); fails on any malformed line."""
    lines = dot.strip().splitlines()
    assert lines[0] == "digraph beslisboom {" and lines[-1] == "}"
    nodes: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []
    defaults: dict[str, str] = {}
    for line in lines[1:-1]:
        if _RANK.fullmatch(line):
            continue  # the columns; see parse_columns
        header = _HEADER.fullmatch(line)
        if header:
            if header.group(1) == "node":
                defaults = _attrs(line.split("[", 1)[1].rsplit("]", 1)[0])
            continue
        m = _STATEMENT.fullmatch(line)
        assert m, f"not a DOT statement: {line!r}"
        tail, head, attrs = _unescape(m.group(1)), m.group(2), _attrs(m.group(3))
        if head is None:
            assert tail not in nodes, f"node drawn twice: {tail}"
            nodes[tail] = attrs
        else:
            edges.append((tail, _unescape(head), attrs))
    for u, v, _ in edges:
        assert u in nodes and v in nodes, f"edge to an undeclared node: {u} -> {v}"
    return nodes, edges, defaults


def is_question(node: str) -> bool:
    return node in {f"q:{q}" for q in BRANCHES}


def flat(label: str) -> str:
    """A label as one line (long labels are wrapped for the projector)."""
    return " ".join(label.split())


def questions_file(bank_dir: Path) -> dict:
    return load_plain((bank_dir / QUESTIONS_FILE).read_text(encoding="utf-8"))


def save_questions(bank_dir: Path, data: dict) -> None:
    (bank_dir / QUESTIONS_FILE).write_text(dump(data), encoding="utf-8")


def cumulative(answers: dict[str, list[str]], upto: int) -> dict[str, list[str]]:
    return {q: list(answers.get(q, [])) for q in BRANCHES[:upto]}


def random_answers(rng: random.Random) -> dict[str, list[str]]:
    out = {}
    for q in BANK.taxonomy.questions:
        ids = [o.id for o in q.options]
        k = rng.choice([0, 0, 1, 1, 2])
        out[q.id] = rng.sample(ids, k)  # two for a single-choice question: the engine keeps one
    return out


# --- funnel -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(40))
def test_funnel_equals_count_fitting_on_the_shipped_databank(seed: int):
    answers = random_answers(random.Random(seed))
    steps = funnel(BANK, answers, "nl")
    assert [s.question for s in steps] == [None, *BRANCHES]
    assert steps[0].count == len(BANK.active)
    for i, s in enumerate(steps):
        assert s.count == count_fitting(BANK, cumulative(answers, i)), (i, answers)
    assert steps[-1].count == count_fitting(BANK, answers)  # the wizard's live count
    counts = [s.count for s in steps]
    assert counts == sorted(counts, reverse=True), "a funnel never widens"


def test_funnel_on_a_small_databank_gives_the_hand_counted_numbers(make_bank):
    bank = make_bank(
        record("a"),  # volwassenen, eenzaamheid, cijfers
        record("b", doelgroep=["ouderen"], gegevens=["verhalen"]),
        record("c", doelgroep=["jeugd"]),
        record("d", doelgroep=["ouderen"], thema=["armoede-schulden"]),
        record("e", doelgroep=["ouderen"], active=False),
    )
    answers = {"doelgroep": ["ouderen"], "thema": ["eenzaamheid"], "gegevens": ["cijfers"]}
    steps = funnel(bank, answers, "nl")
    # ouderen: b, d and a (through the broader volwassenen); eenzaamheid drops d; cijfers drops b
    assert [s.count for s in steps] == [4, 3, 2, 2, 1, 1]
    assert [s.count for s in steps] == [count_fitting(bank, cumulative(answers, i)) for i in range(6)]
    assert steps[0] == FunnelStep(None, "Alle instrumenten", 4)
    assert steps[1] == FunnelStep("doelgroep", "Doelgroep: Ouderen", 3)
    assert funnel(bank, answers, "en")[0].label == "All instruments"


def test_an_unanswered_question_repeats_the_count_and_says_no_preference():
    answers = {"doelgroep": ["ouderen"], "gegevens": ["verhalen"]}
    steps = funnel(BANK, answers, "nl")
    by_q = {s.question: s for s in steps}
    assert by_q["thema"].count == by_q["doelgroep"].count
    assert by_q["meten"].count == by_q["thema"].count
    assert by_q["gegevens"].count < by_q["meten"].count  # the example must actually filter
    for q in ("thema", "meten", "uitvoering"):
        assert "geen voorkeur" in by_q[q].label
    assert "geen voorkeur" not in by_q["doelgroep"].label and "Ouderen" in by_q["doelgroep"].label
    assert "no preference" in funnel(BANK, answers, "en")[2].label


def test_funnel_ignores_unknown_ids_like_the_engine():
    steps = funnel(BANK, {"doelgroep": ["aliens"], "smaak": ["zoet"]}, "nl")
    assert {s.count for s in steps} == {len(BANK.active)}


# --- diagram ------------------------------------------------------------------------------


def test_dot_shows_the_questions_in_order_with_their_counts():
    dot = tree_dot(BANK, EXAMPLE, 3, "nl")
    nodes, edges, defaults = parse_dot(dot)
    steps = funnel(BANK, EXAMPLE, "nl")
    labels = [q.label.nl for q in BANK.taxonomy.questions]
    positions = [dot.index(f'"q:{q}" [') for q in BRANCHES]
    assert positions == sorted(positions)
    for qid, label, s in zip(BRANCHES, labels, steps[1:], strict=True):
        assert flat(nodes[f"q:{qid}"]["label"]) == f"{label} {s.count} passen"
    assert flat(nodes["start"]["label"]) == f"Alle instrumenten {len(BANK.active)} passen"
    # the path: start → doelgroep → … → uitvoering, one edge each
    spine = [(u, v) for u, v, _ in edges if is_question(v)]
    chain = ["start", *(f"q:{q}" for q in BRANCHES)]
    assert spine == list(pairwise(chain))
    assert 'rankdir="LR"' in dot
    assert defaults["fontname"] == "Helvetica" and int(defaults["fontsize"]) >= 18
    assert all(int(a.get("fontsize", defaults["fontsize"])) >= 18 for a in nodes.values())


def test_dot_hangs_every_option_under_its_question_so_the_tree_is_as_wide_as_the_spine():
    dot = tree_dot(BANK, EXAMPLE, 3, "nl")
    nodes, edges, _ = parse_dot(dot)
    columns = parse_columns(dot)
    assert [c[0] for c in columns] == [f"q:{q}" for q in BRANCHES]
    placed = [n for c in columns for n in c]
    assert sorted(placed) == sorted(n for n in nodes if n != "start")  # every node but the start, once
    for column in columns:
        q = column[0]
        assert all((q, n) in {(u, v) for u, v, _ in edges} for n in column[1:])
    # the current question's options read top-down in the tree's order (dot stacks them bottom-up)
    meten = next(c for c in columns if c[0] == "q:meten")[1:]
    order = [f"o:meten:{o.id}" for o in BANK.taxonomy.question("meten").options]
    assert meten == order
    assert [dot.index(f'"{n}" [') for n in meten] == sorted((dot.index(f'"{n}" [') for n in meten), reverse=True)


def test_dot_highlights_chosen_options_and_the_current_question():
    nodes, edges, _ = parse_dot(tree_dot(BANK, EXAMPLE, 3, "nl"))
    chosen = [f"o:{q}:{o}" for q, oids in EXAMPLE.items() if q in BRANCHES[:3] for o in oids]
    for n in chosen:
        assert nodes[n]["fillcolor"] == CHOSEN_FILL and "bold" in nodes[n]["style"], n
    assert nodes["q:meten"]["fillcolor"] == CURRENT_FILL and "bold" in nodes["q:meten"]["style"]
    # the current question: every option, none chosen, so none highlighted
    for o in BANK.taxonomy.question("meten").options:
        n = f"o:meten:{o.id}"
        assert flat(nodes[n]["label"]) == o.label.nl
        assert nodes[n].get("fillcolor") != CHOSEN_FILL
        assert ("q:meten", n) in {(u, v) for u, v, _ in edges}
    # answered questions: only the chosen options
    assert {n for n in nodes if n.startswith("o:thema:")} == {"o:thema:eenzaamheid", "o:thema:armoede-schulden"}
    # the walk so far is strong, the rest grey
    path = {(u, v): a for u, v, a in edges if is_question(v)}
    assert path[("q:doelgroep", "q:thema")]["color"] == PATH
    assert path[("q:thema", "q:meten")]["color"] == PATH
    assert path[("q:meten", "q:gegevens")]["color"] != PATH
    # an answer to a later question (the room went back) is shown, but not as the walk's
    assert nodes["o:gegevens:cijfers"]["fillcolor"] != CHOSEN_FILL
    assert not any(n.startswith("o:uitvoering:") for n in nodes)


def test_dot_at_start_and_at_results():
    nodes, edges, _ = parse_dot(tree_dot(BANK, EXAMPLE, 0, "nl"))
    assert nodes["start"]["fillcolor"] == CURRENT_FILL
    assert not any(a.get("color") == PATH for u, v, a in edges if is_question(v))
    nodes, edges, _ = parse_dot(tree_dot(BANK, EXAMPLE, len(BRANCHES) + 1, "en"))
    assert all(a["color"] == PATH for u, v, a in edges if is_question(v))
    assert nodes["o:gegevens:cijfers"]["fillcolor"] == CHOSEN_FILL
    assert flat(nodes["q:meten:none"]["label"]) == "no preference"
    assert not any(a.get("fillcolor") == CURRENT_FILL for a in nodes.values())


def test_dot_caps_the_options_but_always_draws_the_chosen_one():
    answers = {"thema": ["alle-themas"]}  # the last option in the tree's order
    nodes, _, _ = parse_dot(tree_dot(BANK, answers, 2, "nl", max_options=4))
    drawn = [n for n in nodes if n.startswith("o:thema:")]
    total = len(BANK.taxonomy.question("thema").options)
    assert len(drawn) == 4 and "o:thema:alle-themas" in drawn
    assert flat(nodes["q:thema:more"]["label"]) == f"+ {total - 4} meer"


def test_dot_draws_broader_edges_among_the_drawn_options_only():
    _, edges, _ = parse_dot(tree_dot(BANK, {}, 1, "nl"))
    broader = {(u, v): a for u, v, a in edges if u.startswith("o:") and v.startswith("o:")}
    assert broader[("o:doelgroep:volwassenen", "o:doelgroep:ouderen")]["style"] == "dashed"
    expected = {(u, v) for u, v, k in BANK.graph.edges(data="kind") if k == "broader" and u.startswith("o:doelgroep:")}
    assert set(broader) == expected
    nodes, edges, _ = parse_dot(tree_dot(BANK, {}, 1, "nl", max_options=3))
    for u, v, _ in edges:
        assert u in nodes and v in nodes


def test_dot_is_drawn_from_the_graph(bank_dir: Path, make_bank):
    data = questions_file(bank_dir)
    doelgroep = next(q for q in data["questions"] if q["id"] == "doelgroep")
    doelgroep["options"].append(
        {
            "id": "studenten",
            "label": {"nl": "Studenten", "en": "Students"},
            "explanation": {"nl": "Mensen die studeren.", "en": "People who study."},
            "broader": "volwassenen",
        }
    )
    save_questions(bank_dir, data)
    bank = make_bank(record("a", doelgroep=["studenten"]), record("b"), record("c", doelgroep=["jeugd"]))
    nodes, edges, _ = parse_dot(tree_dot(bank, {}, 1, "nl"))
    assert flat(nodes["o:doelgroep:studenten"]["label"]) == "Studenten"
    assert ("q:doelgroep", "o:doelgroep:studenten") in {(u, v) for u, v, _ in edges}
    assert ("o:doelgroep:volwassenen", "o:doelgroep:studenten") in {(u, v) for u, v, _ in edges}
    nodes, _, _ = parse_dot(tree_dot(bank, {"doelgroep": ["studenten"]}, 2, "nl"))
    assert nodes["o:doelgroep:studenten"]["fillcolor"] == CHOSEN_FILL
    # a (studenten) and b (volwassenen, the broader option) fit; c (jeugd) does not
    assert flat(nodes["q:doelgroep"]["label"]) == "Doelgroep 2 passen"


def test_dot_escapes_quotes_and_backslashes(bank_dir: Path, make_bank):
    tricky = 'Ouders "en" gezinnen \\N'
    data = questions_file(bank_dir)
    doelgroep = next(q for q in data["questions"] if q["id"] == "doelgroep")
    next(o for o in doelgroep["options"] if o["id"] == "ouders")["label"]["nl"] = tricky
    save_questions(bank_dir, data)
    bank = make_bank(record("a"))
    dot = tree_dot(bank, {"doelgroep": ["ouders"]}, 1, "nl")
    assert r"\"en\"" in dot and r"\\N" in dot
    nodes, _, _ = parse_dot(dot)
    assert flat(nodes["o:doelgroep:ouders"]["label"]) == tricky


# --- link and QR --------------------------------------------------------------------------


def _query(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link).query, keep_blank_values=True)


def test_walk_link_round_trips_through_the_wizards_parser():
    link = walk_link("https://beslisboom.example/", EXAMPLE, lang="en", extra={"stap": "3"})
    assert link.startswith("https://beslisboom.example/?")
    parsed = parse_params(_query(link), BANK.taxonomy)
    assert parsed.unknown == []
    assert {q: v for q, v in parsed.answers.items() if v} == EXAMPLE
    assert parsed.extras == {"stap": "3", "lang": "en"}
    # the wizard's own format, character for character
    assert urlsplit(link).query == to_query(EXAMPLE, stap="3", lang="en")
    assert "lang" not in walk_link("https://beslisboom.example", EXAMPLE)
    assert walk_link("https://beslisboom.example", {}) == "https://beslisboom.example/"
    with pytest.raises(ValueError):
        walk_link("https://beslisboom.example", EXAMPLE, extra={"doelgroep": "jeugd"})


def test_room_link():
    assert room_link("https://beslisboom.example/", "K7Q2") == "https://beslisboom.example/kamer?code=K7Q2"
    assert room_link("https://beslisboom.example", "a b&c") == "https://beslisboom.example/kamer?code=a%20b%26c"


def _format_ec_bits(matrix: list[list[bool]], border: int = 4) -> tuple[int, int]:
    """The error correction level as written in both copies of the format information.

    Read straight from the modules (ISO/IEC 18004 §7.9), independently of the qrcode package:
    15 bits, masked with 101010000010010; the two highest are the level (M = 00, L = 01).
    """
    m = [row[border:-border] for row in matrix[border:-border]]
    n = len(m)
    vertical = [m[r][8] for r in (0, 1, 2, 3, 4, 5, 7, 8)] + [m[n - 7 + i][8] for i in range(7)]
    horizontal = [m[8][n - 1 - i] for i in range(8)] + [m[8][c] for c in (7, 5, 4, 3, 2, 1, 0)]

    def level(bits: list[bool]) -> int:
        value = sum(1 << i for i, b in enumerate(bits) if b) ^ 0b101010000010010
        return value >> 13

    return level(vertical), level(horizontal)


def test_qr_encodes_exactly_the_link():
    link = walk_link("https://beslisboom.example", EXAMPLE, extra={"stap": "6"})
    reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    reference.add_data(link, optimize=0)
    reference.make(fit=True)
    assert [d.data for d in reference.data_list] == [link.encode()]
    assert qr_matrix(link) == reference.get_matrix()
    assert qr_matrix(link) != qr_matrix(link + "x")  # the comparison can fail
    assert _format_ec_bits(qr_matrix(link)) == (0b00, 0b00)  # level M, read from the modules
    low = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L)
    low.add_data(link, optimize=0)
    low.make(fit=True)
    assert _format_ec_bits(low.get_matrix()) == (0b01, 0b01)  # and the reader tells levels apart


def test_qr_png_is_a_png_of_the_matrix():
    link = room_link("https://beslisboom.example", "K7Q2")
    png = qr_png(link, box_size=6)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    side = len(qr_matrix(link)) * 6
    assert image.size == (side, side)
    # a dark finder corner where the matrix says so (quiet zone of 4 modules, then the finder)
    gray = image.convert("L")
    assert gray.getpixel((4 * 6 + 2, 4 * 6 + 2)) < 128 and gray.getpixel((2, 2)) > 128
