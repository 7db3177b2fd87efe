"""generate_interface_contracts on a small two-package tree: API, signatures, used_by, --check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts import extract_dependencies as deps
from scripts import generate_interface_contracts as contracts
from scripts.contracts.api import signature_parameters
from scripts.contracts.build import HEADER

SCRIPT = Path(contracts.__file__).resolve()

API = '''"""Public API with __all__."""
from __future__ import annotations

from typing import Any

from lib.util import helper as helper

__all__ = ["compute", "Model", "helper", "LIMIT"]

LIMIT: int = 3


def compute(a: int, b: str = "x", *args: int, c: float = 1.0, **kw: Any) -> bool:
    """Compute something.

    More text.
    """
    return True


def not_exported() -> None:
    pass


class Model:
    """A model."""

    name: str
    size: int = 1

    def __init__(self, name: str) -> None:
        self.name = name

    def fit(self, x: list[float], /, *, epochs: int = 5) -> "Model":
        return self

    @property
    def ready(self) -> bool:
        return True

    @ready.setter
    def ready(self, value: bool) -> None:
        pass

    @classmethod
    def load(cls, path: str) -> "Model":
        return cls(path)

    def _private(self) -> None:
        pass
'''

UTIL = '''"""Helpers without __all__."""
import os
from os import path

VERSION = "1"
_CACHE: dict[str, int] = {}


def helper(x, /, y, *, z=None):
    return x


def _hidden():
    pass


class _Private:
    pass
'''

MAIN = """from lib.api import compute, Model
from lib import util
import lib.api


def run():
    from lib.util import helper
    return compute(1), helper
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name, text in {
        "lib/__init__.py": "",
        "lib/api.py": API,
        "lib/util.py": UTIL,
        "app/__init__.py": "",
        "app/main.py": MAIN,
    }.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    roots = ["--root", str(tmp_path / "lib"), "--root", str(tmp_path / "app")]
    assert deps.main([*roots, "--out", str(tmp_path / "edges.json"), "--no-cache"]) == 0
    return tmp_path


def generate(tree: Path, *extra: str) -> int:
    return contracts.main(
        [
            "--root",
            str(tree / "lib"),
            "--root",
            str(tree / "app"),
            "--edges",
            str(tree / "edges.json"),
            "--out",
            str(tree / "contracts.yaml"),
            *extra,
        ]
    )


def load(tree: Path) -> dict[str, Any]:
    assert generate(tree) == 0
    modules: dict[str, Any] = yaml.safe_load((tree / "contracts.yaml").read_text())["modules"]
    return modules


def test_all_defines_the_api(tree: Path) -> None:
    api = load(tree)["lib.api"]
    assert api["exports_all"] is True
    assert set(api["symbols"]) == {"compute", "Model", "helper", "LIMIT"}
    assert api["symbols"]["helper"]["kind"] == "reexport"
    assert api["symbols"]["helper"]["source"] == "lib.util.helper"
    assert api["symbols"]["LIMIT"] == {"kind": "variable", "annotation": "int", "used_by": []}


def test_without_all_public_means_defined_here_without_underscore(tree: Path) -> None:
    util = load(tree)["lib.util"]
    assert util["exports_all"] is False
    assert set(util["symbols"]) == {"VERSION", "helper"}
    assert util["doc"] == "Helpers without __all__."


def test_signatures_keep_annotations_and_defaults(tree: Path) -> None:
    modules = load(tree)
    compute = modules["lib.api"]["symbols"]["compute"]
    assert compute["signature"] == (
        "(a: int, b: str = 'x', *args: int, c: float = 1.0, **kw: Any) -> bool"
    )
    assert compute["doc"] == "Compute something."
    params = signature_parameters(compute["signature"])
    assert [p["kind"] for p in params] == [
        "positional_or_keyword",
        "positional_or_keyword",
        "var_positional",
        "keyword_only",
        "var_keyword",
    ]
    helper = modules["lib.util"]["symbols"]["helper"]
    assert helper["signature"] == "(x, /, y, *, z=None)"


def test_classes_list_public_methods_and_fields(tree: Path) -> None:
    model = load(tree)["lib.api"]["symbols"]["Model"]
    methods = model["methods"]
    assert {name: m["kind"] for name, m in methods.items()} == {
        "__init__": "method",
        "fit": "method",
        "ready": "property",
        "load": "classmethod",
    }
    assert methods["fit"]["signature"] == "(self, x: list[float], /, *, epochs: int = 5) -> 'Model'"
    assert model["fields"] == {
        "name": {"annotation": "str", "required": True},
        "size": {"annotation": "int", "required": False},
    }


def test_used_by_comes_from_the_edges(tree: Path) -> None:
    modules = load(tree)
    assert modules["lib.api"]["used_by"] == ["app.main"]
    assert modules["lib.api"]["symbols"]["compute"]["used_by"] == ["app.main"]
    assert modules["lib.api"]["symbols"]["helper"]["used_by"] == []
    assert modules["lib.util"]["used_by"] == ["app.main", "lib.api"]
    assert modules["lib.util"]["symbols"]["helper"]["used_by"] == ["app.main", "lib.api"]
    assert modules["lib.util"]["symbols"]["VERSION"]["used_by"] == []
    assert modules["app.main"]["used_by"] == []


def test_yaml_is_deterministic_with_a_header(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert generate(tree) == 0
    first = (tree / "contracts.yaml").read_bytes()
    assert first.startswith(b"# do not edit; generated by make audit")
    assert generate(tree) == 0
    assert (tree / "contracts.yaml").read_bytes() == first
    assert "unchanged" in capsys.readouterr().out
    # The same text whether or not PyYAML has its C emitter.
    options: dict[str, Any] = {"sort_keys": True, "allow_unicode": True, "width": 10**6}
    pure = yaml.dump(yaml.safe_load(first), Dumper=yaml.SafeDumper, **options)
    assert first.decode() == HEADER + pure


def edit(tree: Path, name: str, old: str, new: str) -> None:
    path = tree / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_check_passes_on_additions_only(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert generate(tree) == 0
    edit(tree, "lib/util.py", "*, z=None):", "*, z=None, w=1):")
    edit(tree, "lib/util.py", "def _hidden", "def extra():\n    pass\n\n\ndef _hidden")
    capsys.readouterr()
    assert generate(tree, "--check") == 0
    captured = capsys.readouterr()
    assert "info: added lib/util.py:extra: new function" in captured.err
    assert "info: added lib/util.py:helper: new optional parameter 'w'" in captured.err
    assert "no breaking change" in captured.out
    assert generate(tree, "--check", "--exact") == 1  # out of date, though nothing broke
    assert "out of date" in capsys.readouterr().out
    assert generate(tree) == 0
    assert generate(tree, "--check", "--exact") == 0


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('b: str = "x", ', "", "lib/api.py:compute: parameter 'b' removed"),
        (
            'b: str = "x"',
            'b: str = "y"',
            "lib/api.py:compute: default of 'b' changed from 'x' to 'y'",
        ),
        ("c: float = 1.0,", "c: float = 1.0, d: int,", "compute: new required parameter 'd'"),
        ("(a: int,", "(alpha: int,", "lib/api.py:compute: parameter 'a' renamed to 'alpha'"),
        (
            "int, b: str",
            "int, *, b: str",
            "parameter 'b' kind positional_or_keyword → keyword_only",
        ),
        (
            "    @classmethod\n    def load",
            "    @classmethod\n    def _load",
            "Model.load: method removed",
        ),
    ],
)
def test_check_catches_breaking_changes(
    tree: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str
) -> None:
    assert generate(tree) == 0
    if "*, b: str" in new:
        edit(tree, "lib/api.py", "*args: int, ", "")
    edit(tree, "lib/api.py", old, new)
    capsys.readouterr()
    assert generate(tree, "--check") == 1
    out = capsys.readouterr().out
    assert any(line.startswith("BREAKING") and message in line for line in out.splitlines()), out


def test_check_without_committed_file_names_the_command(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert generate(tree, "--check") == 1
    err = capsys.readouterr().err
    assert "contracts.yaml not found" in err
    assert "python scripts/generate_interface_contracts.py" in err


def test_missing_edges_name_the_command(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "edges.json").unlink()
    assert generate(tree) == 1
    assert "python scripts/extract_dependencies.py" in capsys.readouterr().err


def test_runs_as_a_script(tree: Path) -> None:
    argv = ["--root", "lib", "--root", "app", "--edges", "edges.json", "--out", "c.yaml"]
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), *argv], cwd=tree, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "lib.api" in yaml.safe_load((tree / "c.yaml").read_text())["modules"]
