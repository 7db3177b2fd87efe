"""``make audit``: regenerate the audit data (edges, contracts, hotspots), then run the gates.

``--check`` is the CI mode and writes nothing in the repository: it regenerates the edges,
contracts and hotspots in memory, compares them with the committed files (QE009: stale data, or
a breaking API change), then runs the gates on the fresh edges. Hotspots read the history up to
HEAD (commits touching the analysed files), so they are a function of the committed tree.
``--gates-only`` runs the gates QE001-QE008 on the committed edges (or
``--edges``) and regenerates nothing. Findings go to stdout as ``--format text`` (``path:line:
CODE message (fix: ...)``), ``json`` or ``github`` (workflow annotations); what each step did
goes to stderr, with a progress bar over the steps when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

if not __package__:  # run as a file: make the repo's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def unimportable_base(exc: BaseException) -> str:
    """A QE000 finding for a tree whose layout or config module (all the audit imports of the
    code it audits) cannot be imported: where it broke and why, in one line."""
    root = Path(__file__).resolve().parents[1]
    where, line = "quant_engine/layout.py", 1
    frames = [(f.filename, f.lineno or 1) for f in traceback.extract_tb(exc.__traceback__)]
    if isinstance(exc, SyntaxError) and exc.filename:
        frames.append((exc.filename, exc.lineno or 1))
    for filename, lineno in reversed(frames):  # the deepest frame in this repository
        path = Path(filename).resolve()
        if path.is_relative_to(root) and path != Path(__file__).resolve():
            where, line = path.relative_to(root).as_posix(), lineno
            break
    reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return (
        f"{where}:{line}: QE000 the audit cannot start: {reason} (fix: the audit imports only "
        "quant_engine.layout and quant_engine.config of the code it audits; make them import)"
    )


try:  # the only code under audit imported here: layout and config (and errors, config's)
    from quant_engine import config, layout
    from quant_engine.errors import QuantEngineError, error_line
    from scripts.command import ProgressCallback, StepCounter, new_parser, run_command, step_bar
    from scripts.contracts.build import build_contracts, save_contracts
    from scripts.dependencies.edges import load_edges
    from scripts.dependencies.extract import Extraction, default_roots, extract, save_edges
    from scripts.gates.findings import FORMATS, Finding, format_findings
    from scripts.gates.freshness import check_freshness
    from scripts.gates.runner import gate_report
    from scripts.gates.suppressions import Suppression
    from scripts.hotspots.report import save_report, stale_outputs
    from scripts.hotspots.scoring import score_hotspots
    from scripts.memo import DigestMemo
except Exception as exc:  # a broken tree is a finding, never a traceback
    if __name__ != "__main__":
        raise
    print(unimportable_base(exc))
    print("audit gates: 1 finding(s)", file=sys.stderr)
    raise SystemExit(1) from None


def memo(name: str) -> DigestMemo:
    """A per-file results memo in the data home's audit cache (see :mod:`scripts.memo`)."""
    return DigestMemo(layout.audit_cache_dir() / f"audit-{name}.json")


def tell(*lines: str) -> None:
    """What the generators did goes to stderr: stdout carries the findings only."""
    for line in lines:
        print(line, file=sys.stderr)


def current_edges() -> Extraction:
    """The dependency edges of the code as it is now (scans cached in the data home)."""
    result = extract(default_roots(), cache_dir=layout.audit_cache_dir())
    tell(*result.problems())
    return result


def current_contracts(edges: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """The interface contracts of the code as it is now, and the modules that did not parse."""
    contracts, errors = build_contracts(default_roots(), edges, memo("contracts"))
    tell(*(f"cannot parse {error}" for error in errors))
    return contracts, errors


REGENERATE_STEPS = 3
"""Edges, contracts, hotspots."""
CHECK_STEPS = 3
"""Edges, contracts, hotspots."""


def regenerate(since: str, steps: StepCounter) -> list[dict[str, Any]]:
    """Write edges, then contracts (they use the edges), then hotspots; return the edges."""
    result = current_edges()
    tell(save_edges(result, layout.dependency_edges_path()))
    steps.advance()
    contracts, errors = current_contracts(result.edges)
    tell(save_contracts(contracts, errors, layout.interface_contracts_path()))
    steps.advance()
    report = score_hotspots(result.edges, layout.repo_root(), since=since)
    tell(*(f"hotspot_scoring: note: {note}" for note in report["notes"]))
    tell(*save_report(report, config.AUDIT_TOP_N))
    steps.advance()
    return result.edges


def check(steps: StepCounter) -> tuple[list[Finding], list[dict[str, Any]]]:
    """QE009 findings for the committed edges, contracts and hotspots; also the fresh edges."""
    result = current_edges()
    tell(f"dependency edges: {result.summary()}")
    steps.advance()
    contracts, _ = current_contracts(result.edges)
    tell(f"interface contracts: {len(contracts['modules'])} modules")
    steps.advance()
    findings = check_freshness(json.loads(result.to_json()), contracts, memo("contracts-yaml"))
    findings += stale_hotspots(result.edges)
    steps.advance()
    return findings, result.edges


def stale_hotspots(edges: list[dict[str, Any]]) -> list[Finding]:
    """QE009 for each committed hotspot output that differs from the one the tree gives now."""
    root = layout.repo_root()
    report = score_hotspots(edges, root, since=config.AUDIT_CHURN_SINCE)
    if report["window"].get("shallow"):
        tell("hotspots: not compared in a shallow clone (fetch the whole history)")
        return []
    return [
        Finding(
            path.relative_to(root).as_posix(),
            1,
            "QE009",
            "stale hotspots (history up to HEAD or code changed since they were generated)",
            "run `make audit` and commit the audit data",
        )
        for path in stale_outputs(report, config.AUDIT_TOP_N)
    ]


def report(findings: Sequence[Finding], fmt: str, suppressions: Sequence[Suppression] = ()) -> None:
    """Print findings (stdout), the inline suppressions in force (JSON: under
    ``suppressions``; else on stderr) and a one-line verdict (stderr)."""
    if fmt == "json":
        document = json.loads(format_findings(findings, fmt))
        document["suppressions"] = [asdict(s) for s in suppressions]
        print(json.dumps(document, indent=2))
    elif findings:
        print(format_findings(findings, fmt))
    if fmt != "json" and suppressions:
        tell(f"audit gates: {len(suppressions)} finding(s) suppressed by # noqa with a reason:")
        tell(*(f"  {s.text()}" for s in suppressions))
    verdict = f"{len(findings)} finding(s)" if findings else "all gates passed"
    print(f"audit gates: {verdict}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    """Flags: CI check mode or gates only, output format, hotspot window, gate inputs."""
    parser = new_parser("audit", __doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="verify only; write nothing (CI)")
    mode.add_argument(
        "--gates-only", action="store_true", help="run the gates only; regenerate nothing"
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="findings format")
    parser.add_argument(
        "--since", default=config.AUDIT_CHURN_SINCE, help="hotspot git window (default: to HEAD)"
    )
    parser.add_argument(
        "--edges",
        type=Path,
        default=None,
        help="with --gates-only: edges JSON (default: canonical)",
    )
    parser.add_argument("--no-lint-imports", action="store_true", help="skip lint-imports (QE007)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate then gate (or ``--check``, or ``--gates-only``); 0 clean, 1 findings or error."""
    return run_command("audit", lambda: run(argv))


def run(argv: Sequence[str] | None, progress: ProgressCallback | None = None) -> int:
    """Parse, regenerate or check, gate, report; ``progress`` counts the steps (gates last)."""
    args = build_parser().parse_args(argv)
    if args.edges is not None and not args.gates_only:
        build_parser().error("--edges needs --gates-only")
    findings: list[Finding] = []
    before_gates = 0 if args.gates_only else CHECK_STEPS if args.check else REGENERATE_STEPS
    with step_bar("audit steps") as shown:
        steps = StepCounter(progress or shown, before_gates + 1)
        try:
            if args.check:
                findings, edges = check(steps)
            elif args.gates_only:
                edges = load_edges(args.edges)
            else:
                edges = regenerate(args.since, steps)
        except (QuantEngineError, ValueError, OSError) as exc:
            print(f"audit: error: {error_line(exc)}", file=sys.stderr)
            return 1
        gated = gate_report(edges=edges, lint=not args.no_lint_imports, memo=memo("gates"))
        findings = sorted(set(findings + gated.findings))
        steps.advance()
    report(findings, args.format, gated.suppressions)
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
