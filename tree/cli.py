"""Command line: ``python -m tree validate|recommend|coverage|export|open-data|check-config|docs|hash-password``.

Every command takes ``--databank DIR`` (default: the shipped ``instruments/``), so scripts,
CI and curators can point it at a working copy. ``open-data`` and ``check-config`` act for a
deployment, so their default is the app's own databank (``$BESLISBOOM_DATABANK``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from . import coverage as cov
from . import export, rules
from .databank import DEFAULT_PATH, DatabankError, load_databank
from .links import parse_params
from .recommend import Match, recommend
from .schema import BRANCHES


def _add_databank(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--databank",
        metavar="DIR",
        default=None,
        help=f"folder with _questions.yaml and instrument files (default: {DEFAULT_PATH})",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tree", description="Beslisboom effectmeting")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check every file; exit 1 and one line per problem")
    _add_databank(p)

    p = sub.add_parser("recommend", help="instruments that fit the answers")
    _add_databank(p)
    for q in BRANCHES:
        p.add_argument(f"--{q}", default="", metavar="IDS", help="option ids, comma-separated")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--limit", type=int, default=None)

    p = sub.add_parser("coverage", help="instruments per option; options with fewer than 2 flagged")
    _add_databank(p)

    p = sub.add_parser("export", help="the whole databank as open data")
    _add_databank(p)
    p.add_argument("--format", choices=("json", "csv"), default="json")

    p = sub.add_parser("open-data", help="write the open data files (JSON, CSV, schema, version)")
    p.add_argument("--databank", metavar="DIR", default=None, help="default: $BESLISBOOM_DATABANK or the shipped one")
    p.add_argument("--out", metavar="DIR", default=None, help="output folder (default: static/open-data)")

    p = sub.add_parser("check-config", help="check a deployment before it takes traffic; one line per problem")
    p.add_argument("--databank", metavar="DIR", default=None, help="default: $BESLISBOOM_DATABANK or the shipped one")
    p.add_argument("--upgrade", action="store_true", help="run the room store's missing migrations first")

    p = sub.add_parser("hash-password", help="hash a curator password for secrets.toml or BESLISBOOM_CURATORS")
    p.add_argument("name", help="the curator's login name")
    p.add_argument("--stdin", action="store_true", help="read the password from standard input (scripts)")

    p = sub.add_parser("docs", help="regenerate the field reference in instruments/README.md")
    _add_databank(p)
    p.add_argument("--check", action="store_true", help="exit 1 when the README is out of date")
    return parser


def _match_json(m: Match) -> dict:
    return {
        "id": m.instrument.id,
        "name": m.instrument.name,
        "fits": [{"question": f.question, "chosen": f.chosen, "via": f.via} for f in m.fits],
        "misses": list(m.misses),
    }


def _fit_text(m: Match) -> str:
    parts = [f"{f.question}={f.chosen}" + ("" if f.direct else f" (via {f.via})") for f in m.fits]
    parts += [f"mist/misses {q}" for q in m.misses]
    return ", ".join(parts)


def cmd_recommend(args: argparse.Namespace) -> int:
    bank = load_databank(args.databank)
    link = parse_params({q: getattr(args, q) for q in BRANCHES if getattr(args, q)}, bank.taxonomy)
    for q, o in link.unknown:
        print(f"genegeerd / ignored: onbekende optie / unknown option {q}={o}", file=sys.stderr)
    rec = recommend(bank, link.answers, limit=args.limit)
    if args.json:
        print(
            json.dumps(
                {
                    "answers": rec.answers,
                    "exact_count": rec.exact_count,
                    "matches": [_match_json(m) for m in rec.matches],
                    "near": [_match_json(m) for m in rec.near],
                    "relaxations": [
                        {"question": r.question, "exact_count": r.exact_count, "specific_count": r.specific_count}
                        for r in rec.relaxations
                    ],
                    "bundles": [[p.instrument.id for p in b.parts] for b in rec.bundles],
                    "ignored": [list(x) for x in link.unknown],
                    "databank_version": bank.version,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(f"{rec.exact_count} passend / fitting")
    for m in rec.matches:
        print(f"  {m.instrument.id:32} {m.instrument.name} — {_fit_text(m)}")
    if rec.near:
        print(f"Bijna passend (mist {rec.near_misses}) / nearly fitting:")
        for m in rec.near:
            print(f"  {m.instrument.id:32} {m.instrument.name} — {_fit_text(m)}")
    if rec.best_relaxation and not rec.exact_count:
        r = rec.best_relaxation
        print(f"Tip: laat '{r.question}' los → {r.exact_count} passend / relax '{r.question}'")
    for b in rec.bundles:
        print("Bundel / bundle: " + " + ".join(p.instrument.id for p in b.parts))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Files, the databank's editorial rules and the coverage plan: all problems, one per line."""
    bank = load_databank(args.databank)
    problems = [*bank.problems, *rules.databank_problems(bank), *cov.load_plan(bank)[1]]
    for p in problems:
        print(p)
    print(
        f"{len(bank.instruments)} geldige instrumenten, {len(problems)} problemen / "
        f"{len(bank.instruments)} valid instruments, {len(problems)} problems",
        file=sys.stderr,
    )
    return 1 if problems else 0


def cmd_coverage(args: argparse.Namespace) -> int:
    bank = load_databank(args.databank)
    rows = cov.option_coverage(bank)
    print(f"{'vraag':12} {'optie':18} {'direct':>6} {'incl. breder':>12}")
    for r in rows:
        flag = "  << minder dan 2 / fewer than 2" if r.thin else ""
        print(f"{r.question:12} {r.option:18} {r.direct:>6} {r.effective:>12}{flag}")
    gaps = cov.pair_gaps(bank)
    print("\nDoelgroep × thema zonder eigen effectinstrument / pairs without a specific effect instrument:")
    for g in gaps:
        print(f"  {g.doelgroep:14} × {g.thema:18} (via bredere optie / through a broader option: {g.via_broader})")
    thin = [r for r in rows if r.thin]
    print(
        f"{len(gaps)} lege combinaties / empty pairs; "
        f"{len(bank.active)} actieve instrumenten; {len(thin)} opties met minder dan "
        f"{cov.MIN_PER_OPTION} / options with fewer than {cov.MIN_PER_OPTION}",
        file=sys.stderr,
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    bank = load_databank(args.databank)
    sys.stdout.write(export.to_json(bank) + "\n" if args.format == "json" else export.to_csv(bank))
    return 0


def _app_databank(args: argparse.Namespace) -> str:
    """For the commands that act for a deployment: the databank the app would use."""
    import os

    return args.databank or os.environ.get("BESLISBOOM_DATABANK") or str(DEFAULT_PATH)


def cmd_open_data(args: argparse.Namespace) -> int:
    from .opendata import DEFAULT_DIR, VERSION_FILE, write

    out = args.out or DEFAULT_DIR
    write(_app_databank(args), out)
    print(f"open data geschreven / written: {out} (zie / see {VERSION_FILE})", file=sys.stderr)
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    from .check_config import from_environment, run

    problems = run(from_environment(databank=_app_databank(args), upgrade=args.upgrade))
    for line in problems:
        print(line)
    n = len(problems)
    summary = f"{n} {'probleem' if n == 1 else 'problemen'} / problems" if n else "klaar / ready for traffic"
    print(f"check-config: {summary}", file=sys.stderr)
    return 1 if problems else 0


def cmd_docs(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .docs import update

    folder = Path(args.databank) if args.databank else DEFAULT_PATH
    ok = update(folder / "README.md", check=args.check)
    if not ok:
        print("instruments/README.md is verouderd; draai / is stale, run: python -m tree docs", file=sys.stderr)
    return 0 if ok else 1


def cmd_hash_password(args: argparse.Namespace) -> int:
    import getpass

    from .curate.auth import ENV_VAR, hash_password

    if args.stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Wachtwoord / password: ")
        if getpass.getpass("Nog een keer / again: ") != password:
            print("De wachtwoorden verschillen / passwords differ", file=sys.stderr)
            return 1
    try:
        hashed = hash_password(password)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 1
    print("# .streamlit/secrets.toml")
    print("[curators.users]")
    print(f'{args.name} = "{hashed}"')
    print(f"# of / or: export {ENV_VAR}='{args.name}:{hashed}'")
    return 0


COMMANDS = {
    "validate": cmd_validate,
    "recommend": cmd_recommend,
    "coverage": cmd_coverage,
    "export": cmd_export,
    "open-data": cmd_open_data,
    "check-config": cmd_check_config,
    "docs": cmd_docs,
    "hash-password": cmd_hash_password,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except DatabankError as err:
        for p in err.problems:
            print(p, file=sys.stderr)
        return 2
