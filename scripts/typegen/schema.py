"""One JSON Schema pass over every wire type of a package, named for the TypeScript emitter.

Modes: a response model is rendered in serialization mode, where the server always sends a
defaulted field, so it is required. A request model opts into validation mode (defaulted fields
optional) with Pydantic's own ``model_config = ConfigDict(json_schema_mode_override="validation")``,
which here also holds for every model nested in it; a model used in both modes whose two shapes
differ is declared twice, as ``Name`` (response) and ``NameInput`` (request).
Generics: ``ApiResponse[T]`` is rendered once with placeholder models standing for its type
variables and becomes ``ApiResponse<T>``; a parametrisation such as ``ApiResponse[BacktestSummary]``
is referenced as ``ApiResponse<BacktestSummary>``, and a module-level alias of one becomes a type
alias. Names: TypeScript has one namespace, so two types with one name are an error naming both.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import inspect
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from pydantic import BaseModel, PydanticUserError, RootModel, TypeAdapter, create_model
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import core_schema

from quant_engine.errors import QuantEngineError, first_line
from scripts.typegen.typescript import Declaration, RefTarget, render_type

PYTHON_KEY = "x-python-type"
"""Marker on each definition: the qualified name of the Python class it was generated from."""
ARGS_KEY = "x-generic-args"
"""On a parametrised generic's definition: the JSON schemas of its type arguments."""
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_MARKERS = (PYTHON_KEY, ARGS_KEY)
_EMPTY_DEFAULTS: dict[Any, Any] = {list: [], dict: {}, set: [], frozenset: [], tuple: []}
_INPUT_SUFFIX = "-Input"
"""Pydantic's suffix for the validation-mode copy of a type whose two modes differ."""


class SchemaError(QuantEngineError):
    """Wire types that cannot become TypeScript (import failure, duplicate name); exit 1."""


@dataclass(frozen=True)
class ModuleTypes:
    """The wire types one module defines, in definition order, under their module-level names."""

    module: str
    types: tuple[tuple[str, type[Any]], ...]


@dataclass(frozen=True)
class WireSchema:
    """The result of the pass: public JSON Schema definitions and what to emit as TypeScript."""

    definitions: dict[str, Any]
    declarations: tuple[Declaration, ...]
    references: dict[str, RefTarget]
    extra_types: tuple[str, ...] = ()
    """TypeScript of each extra type asked for (API bodies and responses), in order."""

    def json_schema(self, title: str) -> dict[str, Any]:
        """A standalone JSON Schema document holding every definition under ``$defs``."""
        return {"$schema": JSON_SCHEMA_DIALECT, "title": title, "$defs": self.definitions}


def qualified_name(cls: type[Any]) -> str:
    """``module.QualName`` of a class."""
    return f"{cls.__module__}.{cls.__qualname__}"


def generic_origin(cls: type[Any]) -> type[BaseModel] | None:
    """The generic model a parametrised class such as ``ApiResponse[X]`` was made from."""
    meta = getattr(cls, "__pydantic_generic_metadata__", None)
    return meta["origin"] if meta else None


def type_params(cls: type[Any]) -> tuple[Any, ...]:
    """The type variables of an unparametrised generic model (empty for anything else)."""
    meta = getattr(cls, "__pydantic_generic_metadata__", None)
    return tuple(meta["parameters"]) if meta and meta["origin"] is None else ()


def module_types(module: ModuleType) -> ModuleTypes:
    """Public models, root models and enums defined in ``module`` or re-exported in its ``__all__``.

    Other imports are excluded. Pydantic also registers each parametrised generic under its
    bracketed name (``X[Y]``) in the module's namespace; those are not identifiers and are skipped.
    """
    exported = set(getattr(module, "__all__", ()))
    found: list[tuple[str, type[Any]]] = []
    for name, obj in vars(module).items():
        if name.startswith("_") or not name.isidentifier() or not isinstance(obj, type):
            continue
        if not issubclass(obj, BaseModel | enum.Enum):
            continue
        if obj.__module__ == module.__name__ or name in exported:
            found.append((name, obj))
    return ModuleTypes(module.__name__, tuple(found))


class WireSchemaGenerator(GenerateJsonSchema):
    """Pydantic's generator, marking each definition with its class, mode and generic arguments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.classes: dict[str, type[Any]] = {}
        self.modes: dict[str, set[JsonSchemaMode]] = defaultdict(set)
        """The modes each class was rendered in, by qualified name."""
        self.forced_mode: JsonSchemaMode | None = None

    @property
    def mode(self) -> JsonSchemaMode:
        """A request model's validation mode also holds for every model nested in it."""
        return self.forced_mode or super().mode

    def field_is_required(
        self,
        field: core_schema.ModelField | core_schema.DataclassField | core_schema.TypedDictField,
        total: bool,
    ) -> bool:
        """In serialization mode a defaulted model field is always present: required."""
        if self.mode == "serialization" and field["type"] != "typed-dict-field":
            return field.get("serialization_exclude_if") is None
        return super().field_is_required(field, total)

    def get_default_value(self, schema: core_schema.WithDefaultSchema) -> Any:
        """Also show the defaults of ``default_factory=list`` (dict, set, tuple): always empty."""
        factory = schema.get("default_factory")
        if factory in _EMPTY_DEFAULTS and not schema.get("default_factory_takes_data"):
            return copy.copy(_EMPTY_DEFAULTS[factory])
        return super().get_default_value(schema)

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        """The model's schema, marked; a parametrised generic also records its arguments."""
        cls = schema["cls"]
        outer = self.forced_mode
        self.forced_mode = cls.model_config.get("json_schema_mode_override") or outer
        try:
            json_schema = super().model_schema(schema)
            if generic_origin(cls) is not None:
                args = cls.__pydantic_generic_metadata__["args"]
                json_schema[ARGS_KEY] = [
                    self.generate_inner(TypeAdapter(a).core_schema) for a in args
                ]
        finally:
            self.forced_mode = outer
        self.modes[qualified_name(cls)].add(self.mode)
        return self.mark(json_schema, cls)

    def enum_schema(self, schema: core_schema.EnumSchema) -> JsonSchemaValue:
        """The enum's schema, marked."""
        return self.mark(super().enum_schema(schema), schema["cls"])

    def mark(self, json_schema: JsonSchemaValue, cls: type[Any]) -> JsonSchemaValue:
        """Record ``cls`` under its qualified name and tag the schema with it."""
        name = qualified_name(cls)
        if self.classes.setdefault(name, cls) is not cls:
            raise SchemaError(f"two different classes are both named {name}")
        json_schema[PYTHON_KEY] = name
        return json_schema


def build_wire_schema(
    groups: Sequence[ModuleTypes],
    package: str = "",
    extras: Sequence[tuple[Any, JsonSchemaMode]] = (),
) -> WireSchema:
    """Run the JSON Schema pass over every type of ``groups`` and name the definitions.

    ``extras`` are further types (with the mode they travel in: a response or a request body)
    rendered as TypeScript expressions over the declarations, for the API's path map.
    """
    entries = [(g.module, name, obj) for g in groups for name, obj in g.types]
    origins = [obj for _, _, obj in entries if type_params(obj)]
    placeholders: dict[type[Any], str] = {}
    in_requests: set[type[Any]] = set()
    for _ in range(8):  # each round adds generics found only in other packages or in requests
        templates = {o: template_for(o, placeholders) for o in origins}
        generator, keys, definitions, extra_schemas = run_pass(
            entries, templates, in_requests, extras
        )
        used = {generic_origin(c) for c in generator.classes.values()} - {None, *templates}
        new_in_requests = request_origins(generator, definitions) - in_requests
        if not used and not new_in_requests:
            break
        origins += sorted((o for o in used if o is not None), key=qualified_name)
        in_requests |= new_in_requests
    else:  # pragma: no cover - needs generics nested eight packages deep
        raise SchemaError("generic models keep referring to new generic models; giving up")
    namer = Namer(generator, templates, placeholders, definitions)
    wire = namer.build(entries, keys, package)
    rendered = tuple(render_type(schema, wire.references) for schema in extra_schemas)
    return dataclasses.replace(wire, extra_types=rendered)


def template_for(origin: type[BaseModel], placeholders: dict[type[Any], str]) -> type[BaseModel]:
    """``origin`` parametrised with one placeholder model per type variable."""
    args = []
    for param in type_params(origin):
        stand_in = create_model(param.__name__, __module__=f"typevar.{qualified_name(origin)}")
        placeholders[stand_in] = param.__name__
        args.append(stand_in)
    template: type[BaseModel] = origin[tuple(args) if len(args) > 1 else args[0]]  # type: ignore[index]
    return template


def is_request_definition(
    def_name: str, schema: dict[str, Any], modes: dict[str, set[JsonSchemaMode]]
) -> bool:
    """Whether a definition renders the validation (request) shape of its class."""
    if def_name.endswith(_INPUT_SUFFIX):
        return True
    return not def_name.endswith("-Output") and modes[schema.get(PYTHON_KEY, "")] == {"validation"}


def request_origins(generator: WireSchemaGenerator, definitions: dict[str, Any]) -> set[type[Any]]:
    """Generic models that some request parametrises (they need a request-mode template)."""
    found: set[type[Any]] = set()
    for name, schema in definitions.items():
        cls = generator.classes.get(schema.get(PYTHON_KEY, ""))
        origin = generic_origin(cls) if cls is not None else None
        if origin is not None and is_request_definition(name, schema, generator.modes):
            found.add(origin)
    return found


def run_pass(
    entries: Sequence[tuple[str, str, type[Any]]],
    templates: dict[type[Any], type[BaseModel]],
    in_requests: set[type[Any]],
    extras: Sequence[tuple[Any, JsonSchemaMode]] = (),
) -> tuple[WireSchemaGenerator, dict[Any, str], dict[str, Any], list[Any]]:
    """One ``generate_definitions`` call: the generator, input key → def name, the definitions
    and the JSON schema of each extra type.

    Generics in ``in_requests`` get their template in validation mode too, for request bodies.
    """
    inputs: list[tuple[Any, JsonSchemaMode, core_schema.CoreSchema]] = []
    for index, (module, _, obj) in enumerate(entries):
        inputs.append((index, "serialization", core_schema_of(templates.get(obj, obj), module)))
    listed = {obj for _, _, obj in entries}
    for origin in (o for o in templates if o not in listed):
        schema = core_schema_of(templates[origin], origin.__module__)
        inputs.append((origin, "serialization", schema))
    for origin in sorted(in_requests, key=qualified_name):
        schema = core_schema_of(templates[origin], origin.__module__)
        inputs.append((("request", origin), "validation", schema))
    for index, (extra, mode) in enumerate(extras):
        inputs.append((("extra", index), mode, TypeAdapter(extra).core_schema))
    generator = WireSchemaGenerator(ref_template="#/$defs/{model}")
    try:
        key_map, definitions = generator.generate_definitions(inputs)
    except (PydanticUserError, TypeError, ValueError) as exc:
        culprit = first_failing(entries, templates)
        raise SchemaError(first_line(f"{culprit}: no JSON Schema: {exc}")) from exc
    keys = {
        key: value["$ref"].rsplit("/", 1)[-1]
        for (key, _), value in key_map.items()
        if not (isinstance(key, tuple) and key[0] == "extra")
    }
    extra_schemas = [key_map[(("extra", i), mode)] for i, (_, mode) in enumerate(extras)]
    return generator, keys, {str(k): v for k, v in definitions.items()}, extra_schemas


def core_schema_of(obj: type[Any], module: str) -> core_schema.CoreSchema:
    """The core schema of a model (rebuilt if it had forward references) or of an enum."""
    if issubclass(obj, BaseModel):
        try:
            if not obj.__pydantic_complete__:
                obj.model_rebuild()
        except PydanticUserError as exc:
            raise SchemaError(first_line(f"{module}.{obj.__name__}: {exc}")) from exc
        return obj.__pydantic_core_schema__
    return TypeAdapter(obj).core_schema


def first_failing(
    entries: Sequence[tuple[str, str, type[Any]]], templates: dict[type[Any], type[BaseModel]]
) -> str:
    """The first type whose schema cannot be generated on its own, for the error message."""
    for module, name, obj in entries:
        try:
            TypeAdapter(templates.get(obj, obj)).json_schema(mode="serialization")
        except (PydanticUserError, TypeError, ValueError):
            return f"{module}.{name}"
    return "a wire type"


class Namer:
    """Turns the marked definitions into TypeScript declarations and reference names."""

    def __init__(
        self,
        generator: WireSchemaGenerator,
        templates: dict[type[Any], type[BaseModel]],
        placeholders: dict[type[Any], str],
        definitions: dict[str, Any],
    ) -> None:
        self.classes = generator.classes
        self.modes = generator.modes
        self.template_origin = {t: o for o, t in templates.items()}
        self.placeholders = placeholders
        self.definitions = definitions
        self.copies: dict[type[Any], int] = defaultdict(int)
        for name in definitions:
            if (cls := self.class_of(name)) is not None:
                self.copies[cls] += 1

    def class_of(self, def_name: str) -> type[Any] | None:
        """The Python class a definition was generated from (None for a bare type alias)."""
        return self.classes.get(self.definitions[def_name].get(PYTHON_KEY, ""))

    def build(
        self, entries: Sequence[tuple[str, str, type[Any]]], keys: dict[Any, str], package: str
    ) -> WireSchema:
        """Declarations in module then definition order; other referenced types after them."""
        found: list[tuple[Declaration, str]] = []
        done: set[str] = set()
        for index, (module, name, obj) in enumerate(entries):
            def_name = keys[index]
            if def_name in done:
                continue
            alias = name if generic_origin(obj) is not None else None
            found.append((self.declare(def_name, module, alias), f"{module}.{name}"))
            done.add(def_name)
            cls = self.class_of(def_name)
            for other in self.definitions:
                twin = cls is not None and self.class_of(other) is cls
                if other not in done and twin and self.needs_declaration(other):
                    found.append((self.declare(other, module), f"{module}.{name}"))
                    done.add(other)
        references = {name: self.reference(name) for name in self.definitions}
        rest = [n for n in self.definitions if n not in done and self.needs_declaration(n)]
        section = f"referenced types defined outside {package}"
        for def_name in sorted(rest, key=lambda n: (references[n].name, n)):
            cls = self.class_of(def_name)
            origin = qualified_name(cls) if cls is not None else f"the type alias {def_name}"
            found.append((self.declare(def_name, section), origin))
        check_unique(found)
        return WireSchema(self.public_definitions(), tuple(d for d, _ in found), references)

    def reference(self, def_name: str) -> RefTarget:
        """What a ``$ref`` to ``def_name`` renders as."""
        cls = self.class_of(def_name)
        if cls is None:
            return RefTarget(re.sub(r"\W", "_", def_name))
        if cls in self.placeholders:
            return RefTarget(self.placeholders[cls])
        if cls in self.template_origin:
            template_of = self.template_origin[cls]
            params = tuple(p.__name__ for p in type_params(template_of))
            return RefTarget(self.twin_name(template_of, cls, def_name), type_params=params)
        origin = generic_origin(cls)
        if origin is not None:
            args = tuple(self.definitions[def_name][ARGS_KEY])
            return RefTarget(self.generic_name(origin, def_name), args)
        return RefTarget(self.twin_name(cls, cls, def_name))

    def twin_name(self, named: type[Any], cls: type[Any], def_name: str) -> str:
        """``named``'s name, plus ``Input`` for the request copy of a class whose modes differ."""
        input_copy = self.copies[cls] > 1 and def_name.endswith(_INPUT_SUFFIX)
        return named.__name__ + "Input" if input_copy else named.__name__

    def template_of(self, origin: type[Any]) -> type[Any]:
        """The placeholder parametrisation standing for the generic ``origin``."""
        return next(t for t, o in self.template_origin.items() if o is origin)

    def generic_name(self, origin: type[Any], def_name: str) -> str:
        """``Page`` for a parametrised generic, ``PageInput`` for a request copy when the
        generic itself reads differently in a request (a defaulted field is optional there)."""
        request_twin = self.copies[self.template_of(origin)] > 1 and self.is_request(def_name)
        return origin.__name__ + "Input" if request_twin else origin.__name__

    def is_request(self, def_name: str) -> bool:
        """Whether a definition renders the validation (request) shape of its class."""
        return is_request_definition(def_name, self.definitions[def_name], self.modes)

    def needs_declaration(self, def_name: str) -> bool:
        """False for placeholders and parametrised generics (they render in place)."""
        cls = self.class_of(def_name)
        if cls is None:
            return True
        if cls in self.template_origin:
            return True
        return cls not in self.placeholders and generic_origin(cls) is None

    def declare(self, def_name: str, section: str, alias: str | None = None) -> Declaration:
        """The declaration of one definition (``alias``: a module-level name for a generic)."""
        if alias is not None:
            return Declaration(alias, "alias", {"$ref": f"#/$defs/{def_name}"}, section=section)
        schema = self.definitions[def_name]
        cls = self.class_of(def_name)
        name = self.reference(def_name).name
        if cls is not None and cls in self.template_origin:
            origin = self.template_origin[cls]
            params = tuple(p.__name__ for p in type_params(origin))
            if origin.__doc__ and "description" not in schema:
                schema = {**schema, "description": inspect.cleandoc(origin.__doc__)}
            return Declaration(name, "interface", schema, params, section=section)
        if cls is not None and issubclass(cls, enum.Enum):
            members = tuple((m.name, m.value) for m in cls)
            return Declaration(name, "enum", schema, members=members, section=section)
        if cls is None or issubclass(cls, RootModel) or schema.get("type") != "object":
            return Declaration(name, "alias", schema, section=section)
        return Declaration(name, "interface", schema, section=section)

    def public_definitions(self) -> dict[str, Any]:
        """The definitions without markers, placeholders and generic templates."""
        hidden = set(self.placeholders) | set(self.template_origin)
        return {
            name: strip_markers(schema)
            for name, schema in self.definitions.items()
            if self.class_of(name) not in hidden
        }


def strip_markers(schema: Any) -> Any:
    """A deep copy of ``schema`` without this module's ``x-`` marker keys."""
    if isinstance(schema, dict):
        return {k: strip_markers(v) for k, v in schema.items() if k not in _MARKERS}
    if isinstance(schema, list):
        return [strip_markers(v) for v in schema]
    return copy.copy(schema)


def check_unique(declarations: Sequence[tuple[Declaration, str]]) -> None:
    """Raise when two Python types would share one TypeScript name."""
    owners: dict[str, list[str]] = defaultdict(list)
    for decl, origin in declarations:
        if origin not in owners[decl.name]:
            owners[decl.name].append(origin)
    clashes = {name: found for name, found in owners.items() if len(found) > 1}
    if clashes:
        text = "; ".join(f"{n!r} is defined by {' and '.join(f)}" for n, f in clashes.items())
        raise SchemaError(f"duplicate TypeScript name: {text} (rename one of them)")
