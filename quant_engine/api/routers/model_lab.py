"""``/api/models``: the model registry's versions and the current one."""

from __future__ import annotations

from fastapi import APIRouter, Request

from quant_engine.api.deps import ModelVersionPath
from quant_engine.api.responses import ERROR_RESPONSES, ok
from quant_engine.api.schemas.envelope import ApiResponse
from quant_engine.api.schemas.model_lab import ModelLabOverview, ModelVersion
from quant_engine.api.views import model_lab

router = APIRouter(prefix="/api/models", tags=["model lab"], responses=ERROR_RESPONSES)


@router.get("", summary="Every model version, newest first")
def list_models(request: Request) -> ApiResponse[ModelLabOverview]:
    """The registered versions and which one predictions use."""
    return ok(request, model_lab.overview())


@router.get("/{version_id}", summary="One model version")
def get_model(request: Request, version_id: ModelVersionPath) -> ApiResponse[ModelVersion]:
    """A version by id; 404 listing the known ids when it is not registered."""
    return ok(request, model_lab.version(version_id))
