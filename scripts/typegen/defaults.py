"""What the type generator reads and how it is rerun by default (light: no heavy imports)."""

from __future__ import annotations

DEFAULT_PACKAGE = "quant_engine.api.schemas"
"""The package whose public modules hold the wire schemas."""
DEFAULT_APP_MODULE = "quant_engine.api.main"
"""The module whose ``create_app()`` gives the OpenAPI document."""
REGENERATE_COMMAND = "nox -s types"
"""The command that rewrites the default outputs."""
