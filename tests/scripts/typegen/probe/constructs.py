"""One model per construct: generics (recursive too), non-string dict keys, tuples, requests."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum, StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class Colour(StrEnum):
    """A string enum, used as a dict key."""

    RED = "red"
    BLUE = "blue"


class Level(IntEnum):
    """An integer enum, used as a dict key (its keys arrive as "1", "2")."""

    LOW = 1
    HIGH = 2


class Tree(BaseModel, Generic[T]):
    """A recursive generic model."""

    value: T
    children: list[Tree[T]] = []


class Page(BaseModel, Generic[T]):
    """A generic model with a defaulted field: optional in a request, present in a response."""

    items: list[T]
    total: int = 0


class Item(BaseModel):
    """A plain model."""

    name: str
    size: int = 1


class Keyed(BaseModel):
    """Dicts keyed by non-string schemas and tuples of every length."""

    by_date: dict[dt.date, float]
    by_colour: dict[Colour, int]
    by_level: dict[Level, str]
    by_int: dict[int, str]
    empty: tuple[()]
    pair: tuple[int, str]
    many: tuple[int, ...]


class Report(BaseModel):
    """A response holding parametrised generics."""

    tree: Tree[int]
    page: Page[Item]
    keyed: Keyed


class Order(BaseModel):
    """A request body holding parametrised generics."""

    model_config = ConfigDict(json_schema_mode_override="validation")

    page: Page[Item]
    tree: Tree[str]
    note: str | None = None
