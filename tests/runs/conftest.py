"""Fixtures for run-manifest tests: the manifest folder and a tiny fake entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from quant_engine import layout

FAKE_ENTRY = textwrap.dedent(
    '''
    """A deterministic fake entry point: hashes a cached input into one output file."""
    import argparse
    import hashlib
    import os
    import sys
    from pathlib import Path

    from quant_engine import layout
    from quant_engine.utils.reproducibility import record_run


    def main(argv=None):
        argv = list(sys.argv[1:] if argv is None else argv)
        parser = argparse.ArgumentParser()
        parser.add_argument("--output-dir", type=Path, default=None)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--noise", action="store_true")
        parser.add_argument("--fail", action="store_true")
        args = parser.parse_args(argv)
        try:
            with record_run(args, script_name="fake_entry", module="fake_entry", argv=argv) as run:
                source = layout.cache_dir("fake") / "prices.csv"
                run.add_input("prices", source)
                run.add_seed("model", args.seed)
                if args.fail:
                    raise RuntimeError("fake failure")
                out_dir = args.output_dir or layout.results_dir() / "fake_entry"
                out_dir.mkdir(parents=True, exist_ok=True)
                text = hashlib.sha256(source.read_bytes() + str(args.seed).encode()).hexdigest()
                if args.noise:
                    text += os.urandom(4).hex()
                (out_dir / "summary.txt").write_text(text)
                run.add_output("summary", out_dir / "summary.txt")
                run.set_result(lines=1)
        except Exception as exc:
            print(f"fake_entry: error: {exc}", file=sys.stderr)
            return 1
        return 0


    if __name__ == "__main__":
        raise SystemExit(main())
    '''
)


@dataclass
class FakeEntry:
    """The fake entry point's module folder and cached input, and a way to run it."""

    module_dir: Path
    input_path: Path

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        """Run ``python -m fake_entry argv`` as a user would."""
        return subprocess.run(
            [sys.executable, "-m", "fake_entry", *argv],
            capture_output=True,
            text=True,
            env=dict(os.environ),
            check=False,
        )


@pytest.fixture
def manifest_dir(qe_home: Path) -> Path:
    """The default manifest folder of this test's data home."""
    return layout.manifests_dir()


@pytest.fixture
def fake_entry(tmp_path: Path, qe_home: Path, monkeypatch: pytest.MonkeyPatch) -> FakeEntry:
    """A fake entry-point module on PYTHONPATH and its cached input file."""
    module_dir = tmp_path / "fake_pkg"
    module_dir.mkdir()
    (module_dir / "fake_entry.py").write_text(FAKE_ENTRY)
    paths = [str(module_dir), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))
    input_path = layout.cache_dir("fake") / "prices.csv"
    input_path.parent.mkdir(parents=True)
    input_path.write_text("date,close\n2024-01-02,100.0\n2024-01-03,101.5\n")
    return FakeEntry(module_dir=module_dir, input_path=input_path)
