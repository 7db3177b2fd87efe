"""Compare two runs (``diff``) and re-run a recorded run to check it reproduces (``verify``).

``verify`` replays only this project's own entry points (the ``quant_engine.run_*`` modules) and
restores only the project's own settings (the ``QE_*`` variables config reads, thread counts,
``PYTHONHASHSEED``); a manifest asking for anything else is refused, naming the field. It re-hashes
every recorded input under the live data home (a changed or missing input is reported without
re-running), then runs ``<python> -m <module> <argv>`` in an isolated data home seeded by
:mod:`quant_engine.runs.sandbox`, with ``--output-dir`` in it and ``QE_VERIFY_OF=<run id>``. The
re-run's manifest is copied into the live manifest folder (the only file verify adds there); the
sandbox is removed. Reproduced means: the re-run succeeded, read the same data, and wrote every
recorded output, by logical name, with the same sha256 (shared autopilot state: the same own
log entry and incumbent).
"""

from __future__ import annotations

import functools
import json
import os
import pkgutil
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import quant_engine
from quant_engine import layout
from quant_engine.errors import UsageError
from quant_engine.runs import sandbox, store
from quant_engine.runs.hashing import home_path, path_digest
from quant_engine.runs.manifest import RunManifest, RunStatus
from quant_engine.runs.redaction import REDACTED, is_recorded_env_name
from quant_engine.utils.progress import ProgressCallback, ProgressCounter

VERIFY_ENV_VAR = "QE_VERIFY_OF"
"""Set for a verify re-run; the re-run's manifest records its value as ``verify_of``."""
ABSENT = "(absent)"
ENTRY_POINT_PREFIX = "run_"
REMOTE_FLAGS = ("--scheduler", "--base-url")
"""Flags naming a remote endpoint: a replay would send work or credentials there."""
_SET_BY_VERIFY = frozenset({layout.HOME_ENV_VAR, VERIFY_ENV_VAR})


@dataclass(frozen=True)
class RunDifference:
    """One difference between two runs: which section and key, and the two values."""

    section: str
    key: str
    a: str
    b: str


def show(value: Any) -> str:
    """Compact text of a recorded value."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def diff_mapping(section: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> list[RunDifference]:
    """Changes between two flat mappings, key by key."""
    return [
        RunDifference(
            section, key, show(a[key]) if key in a else ABSENT, show(b[key]) if key in b else ABSENT
        )
        for key in sorted(set(a) | set(b))
        if a.get(key, ABSENT) != b.get(key, ABSENT)
    ]


def code_facts(m: RunManifest) -> dict[str, Any]:
    """The code fields worth comparing."""
    return m.code.model_dump(exclude={"untracked"})


def environment_facts(m: RunManifest) -> dict[str, Any]:
    """Interpreter, machine, package versions, thread settings and captured variables, flat."""
    env = m.environment
    facts: dict[str, Any] = {
        "python_version": env.python_version,
        "platform": env.platform,
        "hostname": env.hostname,
    }
    facts.update({f"package:{k}": v for k, v in env.packages.items()})
    facts.update({f"blas:{k}": v for k, v in env.blas_threads.items()})
    facts.update({f"env:{k}": v for k, v in env.env.items()})
    return facts


def data_facts(m: RunManifest) -> dict[str, Any]:
    """Each input's sha256 by name, plus the combined digests."""
    facts: dict[str, Any] = {d.name: d.sha256 for d in m.data}
    facts.update({f"digest:{k}": v for k, v in m.data_digests.items()})
    facts["data_digest"] = m.data_digest
    return facts


def output_facts(m: RunManifest) -> dict[str, Any]:
    """Each output's sha256 (and size) by logical name."""
    return {o.name: f"{o.sha256 or 'missing'} ({o.size} bytes)" for o in m.outputs}


def diff_manifests(a: RunManifest, b: RunManifest) -> list[RunDifference]:
    """What differs between two runs: command, args, resolved values, config, code, data..."""
    sections: list[tuple[str, Mapping[str, Any], Mapping[str, Any]]] = [
        (
            "run",
            {"script": a.script, "status": a.status.value},
            {"script": b.script, "status": b.status.value},
        ),
        ("command", command_facts(a), command_facts(b)),
        ("cli_args", a.cli_args, b.cli_args),
        ("resolved", a.resolved, b.resolved),
        ("result", a.result, b.result),
        ("seeds", a.seeds, b.seeds),
        ("config", a.config, b.config),
        ("code", code_facts(a), code_facts(b)),
        ("environment", environment_facts(a), environment_facts(b)),
        ("data", data_facts(a), data_facts(b)),
        ("models", model_facts(a), model_facts(b)),
        ("outputs", output_facts(a), output_facts(b)),
    ]
    return [change for name, x, y in sections for change in diff_mapping(name, x, y)]


def command_facts(m: RunManifest) -> dict[str, Any]:
    """Module and argv of the recorded command."""
    if m.command is None:
        return {}
    return {"module": m.command.module, "argv": " ".join(m.command.argv)}


def model_facts(m: RunManifest) -> dict[str, Any]:
    """Model versions by role."""
    return {
        role: [x.version_id for x in m.models if x.role.value == role]
        for role in ("read", "written")
    }


def input_problems(manifest: RunManifest, counter: ProgressCounter | None = None) -> list[str]:
    """Recorded input files that are missing or whose sha256 changed (under the current home);
    ``counter`` advances once per input checked."""
    problems = []
    for record in manifest.data:
        if counter is not None:
            counter.advance()
        expected = record.file_sha256
        if record.path is None or expected is None:
            continue
        path = home_path(record.path)
        _, actual, _ = path_digest(path)
        if actual is None:
            problems.append(f"input {record.name!r} is missing: {path}")
        elif actual != expected:
            problems.append(
                f"input {record.name!r} changed since the run: {path} sha256 "
                f"{expected[:12]}… → {actual[:12]}…"
            )
    return problems


def rerun_argv(manifest: RunManifest, output_dir: Path) -> list[str]:
    """The recorded argv with any ``--output-dir`` replaced by ``output_dir``."""
    assert manifest.command is not None
    argv: list[str] = []
    skip = False
    for token in manifest.command.argv:
        if skip:
            skip = False
        elif token == "--output-dir":
            skip = True
        elif not token.startswith("--output-dir="):
            argv.append(token)
    return [*argv, "--output-dir", str(output_dir)]


@functools.cache
def entry_point_modules() -> frozenset[str]:
    """The modules verify may run: this package's ``run_*`` entry points (found, not imported)."""
    return frozenset(
        f"{quant_engine.__name__}.{info.name}"
        for info in pkgutil.iter_modules(quant_engine.__path__)
        if info.name.startswith(ENTRY_POINT_PREFIX) and not info.ispkg
    )


def replay_notes(manifest: RunManifest) -> list[str]:
    """Refuse (UsageError naming the field) a manifest asking verify for more than a replay.

    Returns notes on what will not be restored (values redacted in the record).
    """
    assert manifest.command is not None
    module = manifest.command.module
    if module not in entry_point_modules():
        raise UsageError(
            f"command.module: {module!r} is not a quant_engine entry point "
            f"(verify runs only {', '.join(sorted(entry_point_modules()))})"
        )
    for token in manifest.command.argv:
        flag = token.partition("=")[0]
        if flag in REMOTE_FLAGS:
            raise UsageError(
                f"command.argv: {flag} names a remote endpoint; verify replays local runs only"
            )
    for index, model in enumerate(manifest.models):
        if not sandbox.MODEL_VERSION_RE.match(model.version_id):
            raise UsageError(
                f"models[{index}].version_id: {model.version_id!r} is not a model version id"
            )
    notes = []
    recorded = {**manifest.environment.blas_threads, **manifest.environment.env}
    for name, value in sorted(recorded.items()):
        if name in _SET_BY_VERIFY:
            continue
        section = "blas_threads" if name in manifest.environment.blas_threads else "env"
        if value == REDACTED:
            notes.append(f"environment.{section}.{name} is redacted in the record: not restored")
        elif not is_recorded_env_name(name):
            raise UsageError(
                f"environment.{section}.{name}: not a setting verify restores (only the "
                "QE_* settings in config, thread counts and PYTHONHASHSEED)"
            )
    return notes


def rerun_env(manifest: RunManifest, environ: Mapping[str, str], home: Path) -> dict[str, str]:
    """``environ`` with the run's own settings restored (the verifier's removed), home ``home``.

    Call :func:`replay_notes` first: it refuses a record asking for anything else.
    """
    env = {
        k: v for k, v in environ.items() if not is_recorded_env_name(k) and k not in _SET_BY_VERIFY
    }
    recorded = {**manifest.environment.blas_threads, **manifest.environment.env}
    env.update({k: v for k, v in recorded.items() if is_recorded_env_name(k) and v != REDACTED})
    env[layout.HOME_ENV_VAR] = str(home)
    env[VERIFY_ENV_VAR] = manifest.run_id
    return env


@dataclass
class VerifyReport:
    """Outcome of ``verify``: reproduced or not, why not, and context worth knowing."""

    run_id: str
    reproduced: bool = False
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rerun_manifest: Path | None = None


def find_rerun(
    dirs: list[Path], run_id: str, pid: int, since: datetime
) -> tuple[Path, RunManifest] | None:
    """The manifest the re-run (process ``pid``, started after ``since``) wrote for ``run_id``."""
    for directory in dict.fromkeys(dirs):
        for path, m in store.scan(directory, since=since).entries:  # only newer files
            if m.verify_of == run_id and m.environment.pid == pid and m.started_at >= since:
                return path, m
    return None


def run_again(
    original: RunManifest, workdir: Path, home: Path, timeout: float | None
) -> tuple[int, str, int]:
    """Run the recorded command in ``workdir`` on data home ``home``: (exit code, last stderr
    line, process id)."""
    assert original.command is not None
    command = [sys.executable, "-m", original.command.module]
    command += rerun_argv(original, workdir / "outputs")
    proc = subprocess.Popen(
        command,
        cwd=workdir,
        env=rerun_env(original, os.environ, home),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return proc.returncode, f"timed out after {timeout:g}s", proc.pid
    tail = stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
    return proc.returncode, tail[0], proc.pid


def compare_rerun(
    original: RunManifest, rerun: RunManifest, report: VerifyReport, home: Path
) -> None:
    """Fill ``report`` with how the re-run (on sandbox ``home``) differs from the original."""
    if rerun.status is not RunStatus.SUCCESS:
        report.problems.append(f"re-run ended {rerun.status.value}")
    for change in diff_mapping("data", data_facts(original), data_facts(rerun)):
        report.problems.append(f"input {change.key!r} differs: {change.a} → {change.b}")
    autopilot = sandbox.AutopilotRecord(original)
    produced = {o.name: o for o in rerun.outputs}
    for out in original.outputs:
        again = produced.get(out.name)
        if again is None or again.sha256 is None:
            report.problems.append(f"output {out.name!r} was not written by the re-run")
        elif autopilot.is_state_output(out.path):
            continue
        elif again.sha256 != out.sha256:
            report.problems.append(
                f"output {out.name!r} differs: sha256 {str(out.sha256)[:12]}… → "
                f"{again.sha256[:12]}… ({out.size} → {again.size} bytes)"
            )
    if autopilot.decision_id is not None:
        report.problems.extend(autopilot.compare(home))
        report.notes.append("decision log and incumbent compared by the run's own entry")
    extra = sorted(set(produced) - {o.name for o in original.outputs})
    if extra:
        report.notes.append(f"re-run wrote outputs the original did not: {', '.join(extra)}")
    if rerun.config_sha256 != original.config_sha256:
        report.notes.append("config differs from the run's (see `diff`)")
    if code_facts(rerun) != code_facts(original):
        report.notes.append("code differs from the run's (see `diff`)")


VERIFY_STEPS_AFTER_INPUTS = 3
"""After hashing each input: seed the sandbox, re-run, compare."""


def verify_run(
    path: Path,
    *,
    timeout: float | None = None,
    keep_outputs: bool = False,
    progress: ProgressCallback | None = None,
) -> VerifyReport:
    """Re-run the manifest at ``path`` in a sandbox and report whether every output reproduced.

    The live data home is only read; the re-run's manifest is added to ``path``'s folder.
    ``progress`` counts each input hashed, then seeding the sandbox, the re-run and the compare.
    """
    original = store.load_manifest(path)
    report = VerifyReport(run_id=original.run_id)
    if original.status is not RunStatus.SUCCESS:
        raise UsageError(f"run {original.run_id} is {original.status.value}; only successes verify")
    if original.command is None:
        raise UsageError(f"run {original.run_id} recorded no command; it cannot be re-run")
    if any(REDACTED in token for token in original.command.argv):
        raise UsageError(f"run {original.run_id} has redacted arguments; they cannot be replayed")
    report.notes = replay_notes(original)
    if original.data_home != str(layout.data_home()):
        report.notes.append(
            f"run used data home {original.data_home}; verifying with {layout.data_home()}"
        )
    counter = ProgressCounter(progress, len(original.data) + VERIFY_STEPS_AFTER_INPUTS)
    report.problems = input_problems(original, counter)
    if report.problems:
        return report
    workdir = Path(tempfile.mkdtemp(prefix="qe-verify-"))
    home = workdir / "home"
    try:
        report.problems = sandbox.prepare(original, home)
        counter.advance()
        if report.problems:
            return report
        launched = datetime.now(UTC)
        code, last_error, pid = run_again(original, workdir, home, timeout)
        counter.advance()
        if code != 0:
            report.problems.append(f"re-run exited with code {code}: {last_error}")
        manifests = home / layout.manifests_dir().relative_to(layout.data_home())
        found = find_rerun([manifests], original.run_id, pid, launched)
        if found is None:
            report.problems.append("re-run wrote no run manifest")
            return report
        _, rerun = found
        if rerun.status is not RunStatus.RUNNING:  # a killed re-run leaves no live record
            report.rerun_manifest = store.write_new(rerun, path.parent)
        compare_rerun(original, rerun, report, home)
        counter.advance()
        report.reproduced = not report.problems
        return report
    finally:
        if keep_outputs:
            report.notes.append(f"re-run's data home and outputs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
