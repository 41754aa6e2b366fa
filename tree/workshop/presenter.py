"""The workshop presenter's material: the funnel, the tree diagram, the link and its QR code.

A facilitator walks a room through the five questions on a projector. The room needs to see
three things the wizard shows one person at a time: how the number of fitting instruments
shrinks with every answer (the funnel), where in the tree the group is (the diagram), and a way
to take the walk home on a phone (the link and its QR code). Everything here is computed by the
engine (``count_fitting``, ``bank.graph``, ``tree.links``) so the projector can never tell a
different story than the wizard. Plain Python: the Streamlit page only renders the results.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage

from ..databank import Databank
from ..describe import option_labels, question_label
from ..i18n import DEFAULT_LANGUAGE, t
from ..links import EXTRA_PARAMS, to_query
from ..recommend import count_fitting, normalise_answers
from ..schema import BRANCHES

if TYPE_CHECKING:
    import networkx as nx

Answers = Mapping[str, Sequence[str]]

#: The participant page's path (``pages/kamer.py`` is registered under this url_path).
ROOM_PATH = "kamer"

# --- colours: high contrast for a washed-out projector; never colour alone (bold/dashed too) ---
INK = "#000000"
PAPER = "#FFFFFF"
PATH = "#0B3D2E"  # the walk so far: the app's dark green (also the room code's colour)
CURRENT_FILL = "#FFD23F"  # the question the room is answering now: yellow with black ink
CHOSEN_FILL = "#0B3D2E"  # a chosen option: dark green with white ink
CHOSEN_INK = "#FFFFFF"
LATER = "#6B6B6B"  # questions still to come: grey, readable (5:1 on LATER_FILL) but clearly "not yet"
LATER_FILL = "#F0F0F0"
OPTION_LINE = "#333333"
FONT = "Helvetica"
FONT_SIZE = 20
SMALL_FONT_SIZE = 18
WRAP = 22  # characters per label line
_REACHED_EDGE = {"color": PATH, "penwidth": 5}
_LATER_EDGE = {"color": LATER, "penwidth": 2, "style": "dashed"}


@dataclass(frozen=True)
class FunnelStep:
    """One bar of the funnel: after ``question`` is answered (None: before any), ``count`` fit."""

    question: str | None
    label: str
    count: int


def funnel(bank: Databank, answers: Answers, lang: str) -> list[FunnelStep]:
    """How many active instruments remain after each answer, in question order.

    The first step is all active instruments; each next step applies the answers of one more
    question on top of the ones before (cumulative). An unanswered question filters nothing, so
    its count repeats the previous one and its label says "geen voorkeur". Counts come from
    ``count_fitting`` itself, so the funnel's last bar always equals the wizard's live count.
    """
    clean, _ = normalise_answers(bank, answers)
    steps = [FunnelStep(None, t(lang, "presenter.all_instruments"), count_fitting(bank, {}))]
    so_far: dict[str, list[str]] = {}
    for qid in BRANCHES:
        so_far[qid] = clean[qid]
        chosen = option_labels(bank, qid, clean[qid], lang) or t(lang, "presenter.no_preference")
        label = t(lang, "presenter.funnel_step", question=question_label(bank, qid, lang), options=chosen)
        steps.append(FunnelStep(qid, label, count_fitting(bank, so_far)))
    return steps


# --- the diagram ----------------------------------------------------------------------------


def _quote(text: str) -> str:
    """A DOT double-quoted string. Labels come from curators, so a quote or backslash in an
    option name must not end the string or start a DOT escape (``\\N`` would print the node id)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _label(*lines: str) -> str:
    """Several lines as one DOT label: each line escaped, joined by DOT's own line break."""
    escaped = [_quote(line)[1:-1] for line in lines]
    return '"' + "\\n".join(escaped) + '"'


def _attrs(**attrs: str | int | float) -> str:
    """DOT attributes in a fixed order (so the output is stable and diffable); labels pre-quoted."""
    parts = []
    for key, value in attrs.items():
        text = str(value)
        parts.append(f"{key}={text if key == 'label' else _quote(text)}")
    return "[" + ", ".join(parts) + "]"


def _node(name: str, **attrs: str | int | float) -> str:
    return f"  {_quote(name)} {_attrs(**attrs)};"


def _edge(tail: str, head: str, **attrs: str | int | float) -> str:
    return f"  {_quote(tail)} -> {_quote(head)} {_attrs(**attrs)};"


def _options_to_draw(options: list[str], chosen: set[str], max_options: int) -> tuple[list[str], int]:
    """The options shown for the current question and how many are left out.

    A chosen option is always drawn (the room must see its own answer), the rest fill the
    remaining places in the tree's order; the order on screen stays the tree's order.
    """
    if len(options) <= max_options:
        return options, 0
    room = max(max_options - len(chosen), 0)
    keep = chosen | set([o for o in options if o not in chosen][:room])
    drawn = [o for o in options if o in keep]
    return drawn, len(options) - len(drawn)


def _wrap(text: str) -> list[str]:
    """Long labels on two or three lines: the diagram runs left to right, so width is what
    shrinks the font on the projector."""
    return textwrap.wrap(text, WRAP, break_long_words=False) or [text]


def tree_dot(bank: Databank, answers: Answers, step: int, lang: str, *, max_options: int = 14) -> str:
    """The tree as Graphviz DOT, drawn from ``bank.graph``, for ``st.graphviz_chart``.

    Left to right: "all instruments", then one node per question with how many instruments
    still fit after it, joined by the path the room walks. Each question's options hang under
    it in its own column, so the diagram is only as wide as the spine. Under the current
    question (``BRANCHES[step - 1]``) its options (at most ``max_options``, chosen ones first),
    so the room sees what it can choose; under answered questions only what was chosen; later
    questions are grey with a faint placeholder (or their chosen options, faint, when the walk
    went back). Broader-option edges among the current question's options are drawn dashed:
    choosing "ouderen" also finds instruments for "volwassenen", and the room should see why.
    Step 0 is the start, ``len(BRANCHES) + 1`` the results (every question answered). Questions
    and options are read from the graph's question→option edges, so a curator's new option
    shows up without a code change.
    """
    g = bank.graph
    clean, _ = normalise_answers(bank, answers)
    counts = {s.question: s.count for s in funnel(bank, clean, lang)}
    step = max(0, min(len(BRANCHES) + 1, step))
    current = BRANCHES[step - 1] if 1 <= step <= len(BRANCHES) else None
    questions = sorted(
        (n for n, kind in g.nodes(data="kind") if kind == "question"), key=lambda n: BRANCHES.index(g.nodes[n]["qid"])
    )
    node_defaults = _attrs(
        shape="box",
        style="rounded,filled",
        fontname=FONT,
        fontsize=SMALL_FONT_SIZE,
        fontcolor=INK,
        color=OPTION_LINE,
        fillcolor=PAPER,
        penwidth=1.5,
        margin="0.18,0.08",
    )
    edge_defaults = _attrs(color=LATER, penwidth=2, arrowsize=1.1, fontname=FONT, fontsize=SMALL_FONT_SIZE)
    lines = [
        "digraph beslisboom {",
        f"  graph {_attrs(rankdir='LR', bgcolor=PAPER, nodesep=0.2, ranksep=0.45, pad=0.3, fontname=FONT)};",
        f"  node {node_defaults};",
        f"  edge {edge_defaults};",
    ]
    # The spine first: dot keeps the declaration order within a rank, so declaring the path
    # before the options puts the path on top and every question's options under it.
    done = {"fillcolor": PATH, "fontcolor": CHOSEN_INK, "color": PATH, "penwidth": 3}
    now = {"fillcolor": CURRENT_FILL, "color": INK, "penwidth": 5, "style": "rounded,filled,bold"}
    not_yet = {"fillcolor": LATER_FILL, "fontcolor": LATER, "color": LATER, "penwidth": 2}
    start = "start"
    start_label = _label(t(lang, "presenter.all_instruments"), t(lang, "presenter.fitting", n=counts[None]))
    lines.append(_node(start, label=start_label, fontsize=FONT_SIZE, **(now if step == 0 else done)))
    previous = start
    for position, qn in enumerate(questions, start=1):
        qid = g.nodes[qn]["qid"]
        reached = position <= step
        label = _label(*_wrap(g.nodes[qn]["label"].get(lang)), t(lang, "presenter.fitting", n=counts[qid]))
        look = now if qid == current else done if reached else not_yet
        lines.append(_node(qn, label=label, fontsize=FONT_SIZE, **look))
        # heavy so the path stays straight; two ranks long so the options fit in between
        path = _REACHED_EDGE if reached else _LATER_EDGE
        lines.append(_edge(previous, qn, weight=10, **path))
        previous = qn

    columns = []
    for position, qn in enumerate(questions, start=1):
        qid = g.nodes[qn]["qid"]
        option_nodes, option_edges = _option_lines(
            g,
            qn,
            set(clean.get(qid, [])),
            lang,
            current=qid == current,
            reached=position <= step,
            max_options=max_options,
        )
        # dot stacks a rank's nodes bottom-up in declaration order: declared in reverse, the
        # options read top-down in the tree's order
        lines += [line for _, line in reversed(option_nodes)] + option_edges
        columns.append([qn, *(name for name, _ in option_nodes)])
    # Each question's options hang under it in the same column (rank), so the diagram is only
    # as wide as the spine: seven columns fill a projector's width at a readable size.
    lines += ["  {rank=same; " + " ".join(f"{_quote(n)};" for n in column) + "}" for column in columns]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _option_lines(
    g: nx.DiGraph, qn: str, chosen: set[str], lang: str, *, current: bool, reached: bool, max_options: int
) -> tuple[list[tuple[str, str]], list[str]]:
    """The options drawn under one question: (node name, node line) pairs in the tree's order,
    and the edge lines (see ``tree_dot``)."""
    options = [v for _, v, kind in g.out_edges(qn, data="kind") if kind == "option"]
    picked = {v for v in options if g.nodes[v]["oid"] in chosen}
    if current:
        shown, hidden = _options_to_draw(options, picked, max_options)
    else:
        shown, hidden = [v for v in options if v in picked], 0
    nodes: list[tuple[str, str]] = []
    edges: list[str] = []
    for v in shown:
        text = _label(*_wrap(g.nodes[v]["label"].get(lang)))
        if v in picked and (reached or current):
            look = {"fillcolor": CHOSEN_FILL, "fontcolor": CHOSEN_INK, "color": INK, "penwidth": 4}
            nodes.append((v, _node(v, label=text, style="rounded,filled,bold", **look)))
            edges.append(_edge(qn, v, **_REACHED_EDGE))
        elif v in picked:  # an answer to a question the walk has not reached yet (the room went back)
            look = {"fillcolor": LATER_FILL, "fontcolor": LATER, "color": LATER}
            nodes.append((v, _node(v, label=text, style="rounded,filled,dashed", **look)))
            edges.append(_edge(qn, v, **_LATER_EDGE))
        else:
            nodes.append((v, _node(v, label=text)))
            edges.append(_edge(qn, v, color=OPTION_LINE, penwidth=2))
    if hidden:
        more = f"{qn}:more"
        text = _label(t(lang, "presenter.more_options", n=hidden))
        nodes.append((more, _node(more, label=text, shape="plaintext", style="", fillcolor=PAPER)))
        edges.append(_edge(qn, more, color=OPTION_LINE, penwidth=2, style="dotted"))
    if not shown and not current:
        empty = f"{qn}:none"
        if reached:  # answered "weet ik niet / geen voorkeur": saying so explains the repeated count
            text = _label(t(lang, "presenter.no_preference"))
            nodes.append((empty, _node(empty, label=text, style="rounded,dashed", color=PATH, fillcolor=PAPER)))
            edges.append(_edge(qn, empty, color=PATH, penwidth=2, style="dashed"))
        else:
            text = _label(t(lang, "presenter.later"))
            nodes.append((empty, _node(empty, label=text, style="rounded,dashed", color=LATER, fontcolor=LATER)))
            edges.append(_edge(qn, empty, **_LATER_EDGE))
    if current:
        drawn = set(shown)
        for u, v, kind in g.edges(shown, data="kind"):
            if kind == "broader" and v in drawn:
                # within the column of options; constraint=false so it does not reorder the column
                edges.append(_edge(u, v, color=OPTION_LINE, penwidth=2, style="dashed", constraint="false"))
    return nodes, edges


# --- the link and its QR code ---------------------------------------------------------------


def walk_link(base_url: str, answers: Answers, *, lang: str = "nl", extra: dict[str, str | None] | None = None) -> str:
    """The wizard's own shareable link for these answers, so a phone that scans it lands on the
    same walk. Same format as the wizard (``tree.links.to_query``); the language only when it is
    not Dutch, as the wizard does. ``extra`` takes the link's non-answer parameters (``stap``,
    ``vraag``…); anything else is refused, because an answer smuggled in there would bypass the
    answers' ordering and the link contract."""
    extras = dict(extra or {})
    wrong = sorted(set(extras) - set(EXTRA_PARAMS))
    if wrong:
        raise ValueError(f"not a link parameter: {', '.join(wrong)} (allowed: {', '.join(EXTRA_PARAMS)})")
    extras.setdefault("lang", lang if lang != DEFAULT_LANGUAGE else None)
    query = to_query(answers, **extras)
    base = base_url.rstrip("/")
    return f"{base}/?{query}" if query else f"{base}/"


def room_link(base_url: str, code: str) -> str:
    """The participant page for a workshop room; the code is quoted so any code stays one value."""
    return f"{base_url.rstrip('/')}/{ROOM_PATH}?code={quote(str(code), safe='')}"


def _qr(data: str, *, box_size: int = 10, border: int = 4) -> qrcode.QRCode:
    """One QR recipe for the picture and the tests.

    Error correction M survives a projector's glare and a little keystone without making the
    code much denser. ``optimize=0`` keeps the link as one byte segment: no mode switching, so
    what is encoded is exactly the link's bytes.
    """
    qr = qrcode.QRCode(
        version=None, error_correction=ERROR_CORRECT_M, box_size=box_size, border=border, image_factory=PilImage
    )
    qr.add_data(data, optimize=0)
    qr.make(fit=True)
    return qr


def qr_png(data: str, *, box_size: int = 10) -> bytes:
    """The QR code as PNG bytes (black on white, with the standard quiet zone), for ``st.image``."""
    image = _qr(data, box_size=box_size).make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR code's modules (True = dark), quiet zone included: what ``qr_png`` draws, testable
    without decoding a picture."""
    return _qr(data).get_matrix()
