"""The one place for filesystem paths: repo root, data home, audit data, generated types.

Standard library only and nothing is computed at import: every path is a function so that
``QE_HOME`` (and tests that set it) take effect at call time. No other module spells a path.

Data home (``QE_HOME``)::

    $QE_HOME/                 default <repo>/.qe_home, or $XDG_DATA_HOME/quant_engine
      cache/<source>/         per-ticker daily OHLCV Parquet + JSON metadata sidecars
      cache/audit/            content-hash caches of the audit tools (scripts/)
      results/                predictions, backtests, autopilot decisions
      models/                 versioned model registry
      manifests/              reproducibility run manifests

Canonical audit data layout::

    docs/audit/data/DEPENDENCY_EDGES.json      scripts/extract_dependencies.py
    docs/audit/data/INTERFACE_CONTRACTS.yaml   scripts/generate_interface_contracts.py
    docs/audit/data/HOTSPOTS.json              scripts/hotspot_scoring.py (ranked data)
    docs/audit/data/HOTSPOTS.md                scripts/hotspot_scoring.py (readable table)
    docs/audit/data/HOTSPOTS.png               scripts/hotspot_scoring.py (churn × complexity)
    docs/audit/data/HOTSPOTS_LAYERS.png        scripts/hotspot_scoring.py (layers, violations)
    docs/audit/DEPENDENCY_EDGES.json           legacy location, read with a deprecation warning
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV_VAR = "QE_HOME"

DEPENDENCY_EDGES_NAME = "DEPENDENCY_EDGES.json"
INTERFACE_CONTRACTS_NAME = "INTERFACE_CONTRACTS.yaml"
HOTSPOTS_JSON_NAME = "HOTSPOTS.json"
HOTSPOTS_MD_NAME = "HOTSPOTS.md"
HOTSPOTS_PNG_NAME = "HOTSPOTS.png"
HOTSPOTS_LAYERS_PNG_NAME = "HOTSPOTS_LAYERS.png"

_AUDIT_DIR_PARTS = ("docs", "audit")
_AUDIT_DATA_PARTS = (*_AUDIT_DIR_PARTS, "data")
_CHECKOUT_HOME_NAME = ".qe_home"
_FRONTEND_TYPES_PARTS = ("frontend", "src", "api")
GENERATED_TYPES_NAME = "types.generated.ts"
OPENAPI_NAME = "openapi.json"


def package_dir() -> Path:
    """The ``quant_engine`` package folder."""
    return Path(__file__).resolve().parent


def repo_root() -> Path:
    """The repository root (the folder holding ``pyproject.toml`` in a checkout)."""
    return package_dir().parent


def scripts_dir() -> Path:
    """The repository's ``scripts/`` folder (developer tools; only in a checkout)."""
    return repo_root() / "scripts"


def is_checkout() -> bool:
    """True when running from a source checkout rather than an installed wheel."""
    return (repo_root() / "pyproject.toml").is_file()


def default_data_home() -> Path:
    """Where data lives when ``QE_HOME`` is unset: git-ignored ``.qe_home`` in a checkout."""
    if is_checkout():
        return repo_root() / _CHECKOUT_HOME_NAME
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "quant_engine"


def data_home() -> Path:
    """The data home: ``$QE_HOME`` when set, else :func:`default_data_home`."""
    override = os.environ.get(HOME_ENV_VAR, "").strip()
    return Path(override).expanduser().resolve() if override else default_data_home()


def relative_to_home(path: Path | str) -> str:
    """``path`` relative to the data home when inside it, else absolute; POSIX form either way.

    Recorded paths take this form so that a run record stays valid when ``QE_HOME`` moves.
    """
    resolved, home = Path(path).resolve(), data_home().resolve()
    return (resolved.relative_to(home) if resolved.is_relative_to(home) else resolved).as_posix()


def cache_dir(source: str | None = None) -> Path:
    """The market-data cache, or one source's folder in it."""
    root = data_home() / "cache"
    return root / source if source else root


def results_dir() -> Path:
    """Where runs write predictions, backtests and autopilot decisions."""
    return data_home() / "results"


def models_dir() -> Path:
    """The versioned model registry."""
    return data_home() / "models"


def model_pointer_paths() -> list[Path]:
    """The registry's current-model pointers: ``CURRENT`` (the one made current last) and one
    ``CURRENT-<feature mode>`` per mode, those that exist."""
    root = models_dir()
    return sorted(p for p in root.glob("CURRENT*") if p.is_file()) if root.is_dir() else []


def autopilot_dir() -> Path:
    """Autopilot state: the incumbent, the decision log and the decision files."""
    return results_dir() / "autopilot"


def manifests_dir() -> Path:
    """Where reproducibility run manifests are written."""
    return data_home() / "manifests"


def api_jobs_dir() -> Path:
    """Results of compute jobs submitted through the API server, one folder per job."""
    return results_dir() / "api_jobs"


def kalshi_cache_dir() -> Path:
    """Kalshi event data: raw API responses, normalised tables and session-aligned features."""
    return cache_dir("kalshi")


def intraday_cache_dir(source: str) -> Path:
    """Intraday bars of one source (kept apart from the daily per-ticker cache)."""
    return cache_dir("intraday") / source


def audit_cache_dir() -> Path:
    """Per-file caches of the audit tools (keyed by content hash; safe to delete)."""
    return cache_dir() / "audit"


def audit_dir() -> Path:
    """``docs/audit``: human docs about the audit data."""
    return repo_root().joinpath(*_AUDIT_DIR_PARTS)


def audit_data_dir() -> Path:
    """``docs/audit/data``: the canonical home of generated audit data."""
    return repo_root().joinpath(*_AUDIT_DATA_PARTS)


def dependency_edges_path() -> Path:
    """Canonical DEPENDENCY_EDGES.json (written by extract_dependencies)."""
    return audit_data_dir() / DEPENDENCY_EDGES_NAME


def legacy_dependency_edges_path() -> Path:
    """Where DEPENDENCY_EDGES.json lived before docs/audit/data/; still read, with a warning."""
    return audit_dir() / DEPENDENCY_EDGES_NAME


def interface_contracts_path() -> Path:
    """Canonical INTERFACE_CONTRACTS.yaml (written by generate_interface_contracts)."""
    return audit_data_dir() / INTERFACE_CONTRACTS_NAME


def hotspots_json_path() -> Path:
    """Ranked hotspot data (written by hotspot_scoring)."""
    return audit_data_dir() / HOTSPOTS_JSON_NAME


def hotspots_md_path() -> Path:
    """Readable hotspot table (written by hotspot_scoring)."""
    return audit_data_dir() / HOTSPOTS_MD_NAME


def hotspots_png_path() -> Path:
    """Change frequency × complexity chart (written by hotspot_scoring)."""
    return audit_data_dir() / HOTSPOTS_PNG_NAME


def hotspots_layers_png_path() -> Path:
    """Layer structure chart with violations and cycles (written by hotspot_scoring)."""
    return audit_data_dir() / HOTSPOTS_LAYERS_PNG_NAME


def dashboard_dir() -> Path:
    """The built dashboard (``make dashboard`` writes it; qe-server serves it at ``/``)."""
    return package_dir() / "dashboard"


def frontend_dir() -> Path:
    """The dashboard's sources (Vite + TypeScript), in a checkout."""
    return repo_root() / "frontend"


def frontend_types_dir() -> Path:
    """Folder of the dashboard's generated API types."""
    return repo_root().joinpath(*_FRONTEND_TYPES_PARTS)


def generated_types_path() -> Path:
    """The generated TypeScript types (``nox -s types``)."""
    return frontend_types_dir() / GENERATED_TYPES_NAME


def openapi_path() -> Path:
    """The committed OpenAPI document of the API server."""
    return frontend_types_dir() / OPENAPI_NAME


def canonical_path_fragments() -> tuple[str, ...]:
    """Path spellings only this module may contain; the layout test scans for them."""
    return (
        "/".join(_AUDIT_DIR_PARTS),
        "audit/data",
        DEPENDENCY_EDGES_NAME,
        INTERFACE_CONTRACTS_NAME,
        HOTSPOTS_JSON_NAME,
        HOTSPOTS_MD_NAME,
        HOTSPOTS_PNG_NAME,
        HOTSPOTS_LAYERS_PNG_NAME,
        _CHECKOUT_HOME_NAME,
        GENERATED_TYPES_NAME,
        OPENAPI_NAME,
    )
