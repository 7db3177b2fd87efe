"""A FastAPI app over the probe wire types: path and query parameters, a body, generic responses."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Query

from tests.scripts.typegen.probe.constructs import Colour, Item, Order, Page, Report


def create_app() -> FastAPI:
    """The probe API."""
    app = FastAPI(title="probe")

    @app.get("/reports/{report_id}", summary="One report")
    def get_report(
        report_id: int,
        colour: Annotated[Colour | None, Query()] = None,
        limit: int = 10,
    ) -> Report:
        raise NotImplementedError

    @app.post("/orders", status_code=201, summary="Place an order")
    def place_order(body: Order) -> Page[Item]:
        raise NotImplementedError

    return app
