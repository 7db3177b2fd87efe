"""The runner over a whole tree: clean passes, and every seeded violation is found once."""

from __future__ import annotations

import importlib
from pathlib import Path

from quant_engine import layout
from scripts.dependencies.extract import extract
from scripts.gates.checks import Flag, flag_actions, flag_signature
from scripts.gates.runner import gate_report, probe_entry_points, run_gates
from scripts.gates.suppressions import Suppression
from scripts.memo import DigestMemo
from tests.scripts.gates.sources import ENTRY_BODY, ENTRY_HEAD, edge

# --- the runner over a tree --------------------------------------------------------------------


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


PYPROJECT = (
    '[[tool.importlinter.contracts]]\nname = "l"\ntype = "layers"\n'
    'layers = ["(quant_engine.run_good) | (quant_engine.run_bad)", "quant_engine.tools"]\n'
)


def test_runner_passes_a_clean_tree(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "quant_engine/run_good.py": ENTRY_HEAD + ENTRY_BODY,
            "quant_engine/tools.py": "from quant_engine import layout\nP = layout.audit_dir()\n",
            "scripts/tool.py": "def main():\n    return 0\n",
        },
    )
    assert run_gates(root, lint=False) == []


def test_runner_finds_every_seeded_violation(tmp_path: Path) -> None:
    bad_entry = '"""Bad: no bootstrap, no main."""\nimport os\n\n\ndef build_parser():\n    pass\n'
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "quant_engine/run_bad.py": bad_entry,
            "quant_engine/tools.py": "from quant_engine.cli import _TICKER_RE\n",
            "quant_engine/unlayered.py": "",
            "scripts/tool.py": f"P = {layout.HOTSPOTS_MD_NAME!r}\n\ndef f(t):\n    t._save()\n",
            "scripts/broken.py": "def (:\n",
        },
    )
    edges = [edge("quant_engine.tools", "quant_engine.tools", 1)]
    found = {(f.path, f.code) for f in run_gates(root, edges=edges, lint=False)}
    assert found == {
        ("quant_engine/run_bad.py", "QE003"),
        ("quant_engine/run_bad.py", "QE004"),
        ("quant_engine/run_bad.py", "QE005"),  # build_parser() returns None
        ("quant_engine/tools.py", "QE001"),
        ("quant_engine/tools.py", "QE008"),
        ("quant_engine/unlayered.py", "QE007"),
        ("scripts/tool.py", "QE006"),
        ("scripts/tool.py", "QE002"),
        ("scripts/broken.py", "QE000"),
    }


def test_imports_lint_imports_cannot_see_are_gated_and_noqa_needs_a_reason(
    tmp_path: Path,
) -> None:
    layers = '"(quant_engine.run_good)", "quant_engine.loose", "quant_engine.tools"'
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT.replace(PYPROJECT.split("layers = ")[1], f"[{layers}]\n"),
            "quant_engine/__init__.py": "",
            "quant_engine/run_good.py": ENTRY_HEAD + ENTRY_BODY,
            "quant_engine/loose/tool.py": "from quant_engine import run_good\n",  # no __init__
            "quant_engine/tools.py": (
                "import importlib\n"
                'importlib.import_module("quant_engine.loose.tool")\n'
                "def f(t):\n"
                "    return t._a  # noqa: QE002 the test says why\n"
                "def g(t):\n"
                "    return t._b  # noqa: QE002\n"
            ),
        },
    )
    edges = extract([root / "quant_engine"]).edges
    report = gate_report(root, edges=edges, lint=False)
    assert {(f.path, f.line, f.code) for f in report.findings} == {
        ("quant_engine/loose/tool.py", 1, "QE007"),  # lower layer imports a higher one
        ("quant_engine/tools.py", 2, "QE007"),  # dynamic import of a higher layer
        ("quant_engine/tools.py", 6, "QE002"),  # the finding, and the noqa without a reason
    }
    assert len(report.findings) == 4
    assert report.suppressions == [
        Suppression("quant_engine/tools.py", 4, "QE002", "the test says why")
    ]


def test_console_scripts_outside_run_modules_are_commands(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT + "[project.scripts]\n"
            'qe-gone = "quant_engine.gone:main"\nqe-hand = "quant_engine.hand:main"\n',
            "quant_engine/tools.py": "def main(argv=None):\n    raise SystemExit(run(argv))\n",
            "quant_engine/hand.py": (
                "def main(argv=None):\n"
                "    from quant_engine.tools import main as tools_main\n"
                "    return tools_main(argv)\n"
            ),
            "scripts/tool.py": "def main():\n    return 0\nif __name__ == '__main__':\n    main()",
        },
    )
    found = {(f.path, f.line, f.code) for f in run_gates(root, lint=False)}
    assert {
        ("quant_engine/tools.py", 1, "QE004"),  # reached through qe-hand's hand-over
        ("pyproject.toml", 1, "QE004"),  # qe-gone points at no module
        ("scripts/tool.py", 1, "QE004"),
    } <= found
    assert not any(p == "quant_engine/hand.py" and c in {"QE003", "QE004"} for p, _, c in found)


def test_remembered_findings_follow_the_file_content(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {
            "pyproject.toml": PYPROJECT,
            "quant_engine/tools.py": "from quant_engine.cli import _TICKER_RE\n",
            "scripts/tool.py": "def f(t):\n    return t._save()\n",
        },
    )
    memo_path = tmp_path / "memo.json"
    first = run_gates(root, lint=False, memo=DigestMemo(memo_path))
    again = run_gates(root, lint=False, memo=DigestMemo(memo_path))
    assert first == again == run_gates(root, lint=False)
    assert {(f.path, f.code) for f in first} >= {
        ("quant_engine/tools.py", "QE001"),
        ("scripts/tool.py", "QE002"),
    }
    (root / "scripts" / "tool.py").write_text("def f(t):\n    return t.save()\n")
    fixed = run_gates(root, lint=False, memo=DigestMemo(memo_path))
    assert ("scripts/tool.py", "QE002") not in {(f.path, f.code) for f in fixed}
    assert ("quant_engine/tools.py", "QE001") in {(f.path, f.code) for f in fixed}


def test_the_parser_probe_sees_the_flags_the_parsers_have() -> None:
    root = layout.repo_root()
    names = sorted(p.stem for p in (root / "quant_engine").glob("run_*.py"))
    answer = probe_entry_points(root, names)
    assert isinstance(answer, dict)
    for name in names:
        parser = importlib.import_module(f"quant_engine.{name}").build_parser()
        here = {flag: flag_signature(f) for flag, f in flag_actions(parser).items()}
        probed = {
            flag: flag_signature(Flag.from_probe(data))
            for flag, data in answer[name]["flags"].items()
        }
        assert probed == here, name


def test_an_entry_point_that_cannot_be_built_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "quant_engine/run_good.py": ENTRY_HEAD + ENTRY_BODY.replace("cli.", "cli.missing_"),
            "quant_engine/tools.py": "",
        },
    )
    found = [f for f in run_gates(root, lint=False) if f.code == "QE005"]
    assert len(found) == 1
    assert "cannot build its parser" in found[0].message
    assert "missing_" in found[0].message
