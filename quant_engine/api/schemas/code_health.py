"""Wire types of the code-health page: the ranked hotspots and the import cycles of the audit."""

from __future__ import annotations

from pydantic import BaseModel, Field


class HotspotFile(BaseModel):
    """One file ranked by how often it changes and how complex it is."""

    file: str
    rank: int = Field(ge=1)
    score: float = Field(ge=0)
    revisions: int = Field(ge=0, description="Commits that changed the file in the window.")
    complexity: int = Field(ge=0, description="Summed cyclomatic complexity.")
    fan_in: int | None = None
    fan_out: int | None = None


class ImportCycle(BaseModel):
    """Modules that import each other in a ring, and an import that would break it."""

    modules: list[str]
    suggested_break: str | None = Field(
        default=None, description="`a -> b`: the import to remove or invert, when suggested."
    )


class CodeHealth(BaseModel):
    """The audit's hotspot data; ``available`` is false until `make audit` has written it."""

    available: bool
    window: str = Field(description="The history the scores cover, e.g. `175 commits`.")
    formula: str
    files: list[HotspotFile]
    cycles: list[ImportCycle]
