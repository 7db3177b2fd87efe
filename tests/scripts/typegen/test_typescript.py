"""The TypeScript emitter, one rule per test, on small inline Pydantic models."""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum, IntEnum, StrEnum
from typing import Any, Generic, Literal, TypeVar

import pytest
from pydantic import BaseModel, ConfigDict, Field, RootModel, create_model

from scripts.typegen.schema import ModuleTypes, SchemaError, build_wire_schema
from scripts.typegen.typescript import RefTarget, emit_typescript, join_union, render_type

T = TypeVar("T")


def emit(*types: type[Any], module: str = __name__) -> str:
    """TypeScript for ``types`` as if one module defined them (in this order)."""
    group = ModuleTypes(module, tuple((t.__name__, t) for t in types))
    wire = build_wire_schema([group], "tests")
    return emit_typescript(wire.declarations, wire.references, ["banner"])


def block(text: str, name: str) -> str:
    """The body of ``export interface name ... { ... }`` in ``text``."""
    match = re.search(rf"export interface {name}(<[^>]*>)? \{{\n(.*?)\n\}}", text, re.S)
    assert match is not None, f"no interface {name} in:\n{text}"
    return match.group(2)


class Profile(BaseModel):
    """A user's profile."""

    name: str


class WithDefaults(BaseModel):
    count: int = 3
    label: str | None = None
    tags: list[str] = Field(default_factory=list)


class RequestBody(BaseModel):
    model_config = ConfigDict(json_schema_mode_override="validation")

    name: str
    count: int = 3
    label: str | None = None


def test_defaulted_fields_are_required_in_response_types() -> None:
    body = block(emit(WithDefaults), "WithDefaults")
    assert "  count: number;" in body
    assert "  label: string | null;" in body
    assert "  tags: string[];" in body
    assert "?" not in body


def test_request_models_opt_into_validation_mode_where_defaults_are_optional() -> None:
    body = block(emit(RequestBody), "RequestBody")
    assert "  name: string;" in body
    assert "  count?: number;" in body
    assert "  label?: string | null;" in body
    assert "@default 3" in body


class Nullable(BaseModel):
    model_config = ConfigDict(json_schema_mode_override="validation")

    required_nullable: int | None
    optional_plain: int = 0


class Colour(StrEnum):
    """A colour."""

    RED = "red"
    DARK_BLUE = "blue"


class Level(IntEnum):
    LOW = 1
    HIGH = 2


def test_enum_is_literal_union_plus_as_const_object_of_names() -> None:
    text = emit(Colour, Level)
    assert 'export type Colour = "red" | "blue";' in text
    assert 'export const Colour = {\n  RED: "red",\n  DARK_BLUE: "blue",\n} as const;' in text
    assert "export type Level = 1 | 2;" in text
    assert "const enum" not in text
    assert "export enum" not in text


class Windowed(BaseModel):
    window: tuple[dt.date, dt.date]
    pair: tuple[str, int]
    many: tuple[int, ...]


class Account(BaseModel):
    profile: Profile = Field(description="Who owns the account.")
    backup: Profile | None = Field(default=None, description="A second profile.")


def test_described_reference_keeps_the_real_name_and_no_numbered_copy() -> None:
    text = emit(Profile, Account)
    body = block(text, "Account")
    assert "  profile: Profile;" in body
    assert "  backup: Profile | null;" in body
    assert "/** Who owns the account. */" in body
    assert text.count("export interface Profile ") == 1
    assert re.search(r"Profile\d", text) is None


OtherProfile = create_model("Profile", __module__="tests.other_module", email=(str, ...))


def test_same_class_name_in_two_modules_is_an_error_naming_both() -> None:
    groups = [
        ModuleTypes("tests.first", (("Profile", Profile),)),
        ModuleTypes("tests.other_module", (("Profile", OtherProfile),)),
    ]
    with pytest.raises(SchemaError) as caught:
        build_wire_schema(groups, "tests")
    message = str(caught.value)
    assert "'Profile'" in message
    assert "tests.first.Profile" in message
    assert "tests.other_module.Profile" in message


HolderOfOther = create_model("Holder", __module__=__name__, other=(OtherProfile, ...))


def test_referenced_type_from_elsewhere_clashing_with_a_listed_name_is_an_error() -> None:
    with pytest.raises(SchemaError, match=r"tests\.other_module\.Profile"):
        emit(Profile, HolderOfOther)


def test_referenced_type_from_elsewhere_is_emitted_after_the_modules() -> None:
    text = emit(HolderOfOther)
    assert "// ---- referenced types defined outside tests ----" in text
    assert text.index("export interface Holder ") < text.index("export interface Profile ")
    assert "  email: string;" in block(text, "Profile")


class Tags(RootModel[list[str]]):
    """Free-form labels."""


class Tagged(BaseModel):
    tags: Tags


def test_root_model_is_a_type_alias_of_its_root() -> None:
    text = emit(Tags, Tagged)
    assert "/** Free-form labels. */\nexport type Tags = string[];" in text
    assert "  tags: Tags;" in block(text, "Tagged")
    assert "RootModel" not in text


class Envelope(BaseModel, Generic[T]):
    """Every response."""

    ok: bool
    data: T | None = None
    items: list[T] = Field(default_factory=list)


class UsesEnvelope(BaseModel):
    single: Envelope[Profile]
    nested: Envelope[list[Profile]]


ProfileEnvelope = Envelope[Profile]


def test_generic_model_becomes_a_generic_interface_and_uses_are_parametrised() -> None:
    text = emit(Profile, Envelope, UsesEnvelope)
    assert "/** Every response. */\nexport interface Envelope<T> {" in text
    body = block(text, "Envelope")
    assert "  data: T | null;" in body
    assert "  items: T[];" in body
    uses = block(text, "UsesEnvelope")
    assert "  single: Envelope<Profile>;" in uses
    assert "  nested: Envelope<Profile[]>;" in uses
    assert "Envelope_" not in text
    assert "Envelope[" not in text


def test_module_level_alias_of_a_parametrised_generic_is_a_type_alias() -> None:
    group = ModuleTypes(
        __name__,
        (("Profile", Profile), ("Envelope", Envelope), ("ProfileEnvelope", ProfileEnvelope)),
    )
    wire = build_wire_schema([group], "tests")
    text = emit_typescript(wire.declarations, wire.references, [])
    assert "export type ProfileEnvelope = Envelope<Profile>;" in text


class Node(BaseModel, Generic[T]):
    value: T
    children: list[Node[T]] = []


class Paged(BaseModel, Generic[T]):
    items: list[T]
    total: int = 0


class HoldsNodes(BaseModel):
    tree: Node[int]
    page: Paged[Profile]


class PagedRequest(BaseModel):
    model_config = ConfigDict(json_schema_mode_override="validation")

    page: Paged[Profile]


def test_a_recursive_generic_refers_to_itself_with_its_type_parameter() -> None:
    text = emit(Node, HoldsNodes)
    assert "  children: Node<T>[];" in block(text, "Node")
    assert "  tree: Node<number>;" in block(text, "HoldsNodes")


def test_a_generic_in_a_request_body_gets_a_request_twin_only_when_used_there() -> None:
    response_only = emit(Profile, Paged, HoldsNodes)
    assert "PagedInput" not in response_only
    text = emit(Profile, Paged, HoldsNodes, PagedRequest)
    assert "  total: number;" in block(text, "Paged")
    assert "  total?: number;" in block(text, "PagedInput")
    assert "  page: PagedInput<Profile>;" in block(text, "PagedRequest")
    assert "  page: Paged<Profile>;" in block(text, "HoldsNodes")


class Tuples(BaseModel):
    empty: tuple[()]
    many: tuple[int, ...]
    pair: tuple[int, str]
    by_day: dict[dt.date, int]
    by_level: dict[Level, str]


def test_tuples_of_every_length_and_keys_that_travel_as_strings() -> None:
    body = block(emit(Tuples), "Tuples")
    assert "  empty: [];" in body
    assert "  many: number[];" in body
    assert "  pair: [number, string];" in body
    assert "  by_day: Record<string, number>;" in body
    assert "  by_level: Partial<Record<`${Level}`, string>>;" in body


class Documented(BaseModel):
    """First line.

    Second paragraph with a */ inside.
    """

    when: dt.datetime = Field(description="When it happened.")
    day: dt.date


def test_docstrings_and_descriptions_become_jsdoc_with_formats() -> None:
    text = emit(Documented)
    assert "/**\n * First line.\n *\n * Second paragraph with a *\\/ inside.\n */" in text
    body = block(text, "Documented")
    assert "  /**\n   * When it happened.\n   * @format date-time\n   */\n  when: string;" in body
    assert "  /** @format date */\n  day: string;" in body


class Mappings(BaseModel):
    by_name: dict[str, float]
    by_colour: dict[Colour, int]
    anything: dict[str, Any]


class Literals(BaseModel):
    side: Literal["long", "short"]
    fixed: Literal["only"]
    flag: Literal[True]


class Scalars(BaseModel):
    whole: int
    real: float
    truth: bool
    blob: Any
    blobs: list[Any]
    mixed: int | str


class Part(BaseModel):
    size: int = 1


class PartRequest(BaseModel):
    model_config = ConfigDict(json_schema_mode_override="validation")

    part: Part


class PartResponse(BaseModel):
    part: Part


def test_model_used_in_both_modes_with_different_shapes_gets_an_input_twin() -> None:
    text = emit(Part, PartRequest, PartResponse)
    assert "  size: number;" in block(text, "Part")
    assert "  size?: number;" in block(text, "PartInput")
    assert "  part: PartInput;" in block(text, "PartRequest")
    assert "  part: Part;" in block(text, "PartResponse")


def test_enum_used_in_both_modes_is_declared_once() -> None:
    request = create_model(
        "ColourRequest",
        __module__=__name__,
        __config__=ConfigDict(json_schema_mode_override="validation"),
        colour=(Colour, Colour.RED),
    )
    response = create_model("ColourResponse", __module__=__name__, colour=(Colour, Colour.RED))
    text = emit(Colour, request, response)
    assert text.count("export type Colour") == 1
    assert "ColourInput" not in text


class Aliased(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    dash_name: int = Field(alias="dash-name")
    plain: int = Field(alias="plainAlias")


class Extra(BaseModel):
    model_config = ConfigDict(extra="allow")

    known: int


def test_models_that_allow_extra_fields_get_an_index_signature() -> None:
    assert "  [key: string]: unknown;" in block(emit(Extra), "Extra")


PROPERTY_RULES: dict[str, tuple[tuple[type[Any], ...], tuple[str, ...]]] = {
    "optional type is a null union, distinct from not required": (
        (Nullable,),
        ("required_nullable: number | null;", "optional_plain?: number;"),
    ),
    "tuples become TypeScript tuples": (
        (Windowed,),
        ("window: [string, string];", "pair: [string, number];", "many: number[];"),
    ),
    "dicts become records": (
        (Colour, Mappings),
        (
            "by_name: Record<string, number>;",
            "by_colour: Partial<Record<`${Colour}`, number>>;",
            "anything: Record<string, unknown>;",
        ),
    ),
    "literals become literal unions": (
        (Literals,),
        ('side: "long" | "short";', 'fixed: "only";', "flag: true;"),
    ),
    "scalars, any and unions": (
        (Scalars,),
        (
            "whole: number;",
            "real: number;",
            "truth: boolean;",
            "blob: unknown;",
            "blobs: unknown[];",
            "mixed: number | string;",
        ),
    ),
    "property names use aliases, quoted when needed": (
        (Aliased,),
        ('"dash-name": number;', "plainAlias: number;"),
    ),
}
"""What each rule is about: the models (the last one checked) and lines its interface holds."""


@pytest.mark.parametrize(("types", "lines"), PROPERTY_RULES.values(), ids=PROPERTY_RULES.keys())
def test_properties_render_as_typescript(
    types: tuple[type[Any], ...], lines: tuple[str, ...]
) -> None:
    body = block(emit(*types), types[-1].__name__)
    for line in lines:
        assert f"  {line}" in body


def test_output_is_deterministic_and_newline_terminated() -> None:
    first = emit(Profile, Colour, Account, Envelope, UsesEnvelope)
    second = emit(Profile, Colour, Account, Envelope, UsesEnvelope)
    assert first == second
    assert first.endswith(";\n") or first.endswith("}\n")
    assert "\r" not in first
    assert first.startswith("// banner\n")


def test_declarations_follow_definition_order() -> None:
    text = emit(Colour, Profile, Account)
    assert text.index("type Colour") < text.index("interface Profile")
    assert text.index("interface Profile") < text.index("interface Account")


def test_render_type_on_raw_schemas() -> None:
    refs = {"Thing": RefTarget("Thing")}
    assert render_type({"type": ["string", "null"]}, refs) == "string | null"
    assert render_type({"anyOf": [{"type": "null"}, {"$ref": "#/$defs/Thing"}]}, refs) == (
        "Thing | null"
    )
    assert render_type({"type": "array", "items": {"anyOf": [{"type": "integer"}]}}, refs) == (
        "number[]"
    )
    assert render_type({"type": "array", "items": {"type": ["string", "integer"]}}, refs) == (
        "(string | number)[]"
    )
    assert render_type({}, refs) == "unknown"
    assert render_type(False, refs) == "never"
    generic = {"Box": RefTarget("Box", ({"type": "string"},))}
    assert render_type({"$ref": "#/$defs/Box"}, generic) == "Box<string>"


def test_unresolved_reference_is_an_error() -> None:
    with pytest.raises(ValueError, match="Missing"):
        render_type({"$ref": "#/$defs/Missing"}, {})


def test_join_union_dedupes_and_puts_null_last() -> None:
    assert join_union(["null", "string", "string", "number"]) == "string | number | null"
    assert join_union(["string", "unknown"]) == "unknown"
    assert join_union([]) == "never"


class Plain(Enum):
    A = "a"


def test_plain_enum_works_too() -> None:
    assert 'export type Plain = "a";' in emit(Plain)
