"""Every console script and every scripts/ command is an entry point: one-line errors, no stray
sys.path edits (seeded violations in inline source)."""

from __future__ import annotations

import ast
import textwrap

from scripts.gates.commands import check_command, console_scripts, delegates, read_pyproject


def parse(source: str) -> ast.Module:
    return ast.parse(textwrap.dedent(source))


GOOD = """
import sys
from pathlib import Path

if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.command import run_command


def main(argv=None):
    return run_command("tool", lambda: 0)
"""


def test_a_command_through_run_command_with_its_bootstrap_passes() -> None:
    assert check_command(parse(GOOD), "scripts/tool.py") == []


def test_a_command_without_one_line_errors_or_with_a_stray_path_edit_is_flagged() -> None:
    bare = GOOD.replace('return run_command("tool", lambda: 0)', "return run(argv)")
    findings = check_command(parse(bare), "scripts/tool.py")
    assert [(f.code, f.line) for f in findings] == [("QE004", 11)]
    assert "traceback" in findings[0].message
    dead = GOOD.replace("    return run_command", "    return 0\n    return run_command")
    assert [f.code for f in check_command(parse(dead), "scripts/tool.py")] == ["QE004"]
    stray = GOOD + "\nsys.path.append('/opt')\n"
    findings = check_command(parse(stray), "scripts/tool.py")
    assert [(f.code, f.line) for f in findings] == [("QE003", 14)]
    in_package = check_command(parse(GOOD), "quant_engine/tools/cli.py")  # no bootstrap there
    assert [(f.code, f.line) for f in in_package] == [("QE003", 6)]


def test_a_console_script_may_hand_over_to_another_commands_main() -> None:
    tree = parse(
        """
        def main(argv=None):
            from quant_engine.runs.cli import main as cli_main
            return cli_main(argv)

        def other(argv=None):
            return 0
        """
    )
    assert delegates(tree, "main") == ["quant_engine.runs.cli"]
    assert check_command(tree, "quant_engine/utils/x.py") == []
    assert [f.code for f in check_command(tree, "quant_engine/utils/x.py", "other")] == ["QE004"]
    missing = check_command(tree, "quant_engine/utils/x.py", "absent")
    assert ["absent() is not defined" in f.message for f in missing] == [True]


def test_console_scripts_are_read_from_pyproject() -> None:
    pyproject = read_pyproject(
        '[project.scripts]\nqe-a = "quant_engine.run_a:main"\nqe-b = "quant_engine.b.cli:entry"\n'
    )
    assert console_scripts(pyproject) == {
        "qe-a": ("quant_engine.run_a", "main"),
        "qe-b": ("quant_engine.b.cli", "entry"),
    }
