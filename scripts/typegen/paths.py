"""The API's typed path map: path → method → path and query parameters, body and response types.

A client that takes its URL, parameters and result type from ``ApiPaths`` is checked by ``tsc``
end to end. Parameters come from the app's OpenAPI document (FastAPI's public ``openapi()``);
request bodies and responses are the endpoint's own annotations, rendered by the same JSON
Schema pass as the wire types, so they use the wire types' TypeScript names.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import fastapi.routing
from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel

from scripts.typegen.typescript import RefTarget, jsdoc, literal, property_key, render_type

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
_COMPONENT_PREFIX = "#/components/schemas/"
_DEF_PREFIX = "#/$defs/"


@dataclass(frozen=True)
class Operation:
    """One path and method: its parameters (JSON schemas by location) and Python types."""

    path: str
    method: str
    summary: str
    status: int
    parameters: tuple[tuple[str, str, bool, Any], ...]
    """``(location, name, required, schema)`` per path or query parameter."""
    body: type[Any] | None
    response: type[Any] | None


def operations(app: FastAPI) -> list[Operation]:
    """Every path and method the app documents, in the OpenAPI document's order."""
    document = app.openapi()
    routes = {
        (path, method.lower()): route
        for path, route in api_routes(app)
        for method in route.methods or ()
    }
    found: list[Operation] = []
    for path, item in document.get("paths", {}).items():
        for method in (m for m in HTTP_METHODS if m in item):
            spec = item[method]
            route = routes.get((path, method))
            params = tuple(
                (p["in"], p["name"], bool(p.get("required")), p.get("schema", {}))
                for p in spec.get("parameters", [])
                if p["in"] in ("path", "query")
            )
            names = {name for _, name, _, _ in params}
            found.append(
                Operation(
                    path=path,
                    method=method,
                    summary=str(spec.get("summary", "")),
                    status=success_status(spec),
                    parameters=params,
                    body=body_type(route, names) if route is not None else None,
                    response=route.response_model if route is not None else None,
                )
            )
    return found


def api_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    """Each endpoint of ``app`` with its full path, including routers' prefixes.

    FastAPI 0.16x keeps included routers as groups that its public ``iter_route_contexts``
    walks; earlier releases list every route in ``app.routes``.
    """
    walk = getattr(fastapi.routing, "iter_route_contexts", None)
    if walk is None:
        return [(r.path, r) for r in app.routes if isinstance(r, APIRoute)]
    return [
        (str(context.path), context.original_route)
        for context in walk(app.routes)
        if isinstance(context.original_route, APIRoute)
    ]


def success_status(spec: Mapping[str, Any]) -> int:
    """The documented 2xx status of an operation (200 when none is listed)."""
    codes = sorted(int(code) for code in spec.get("responses", {}) if str(code).startswith("2"))
    return codes[0] if codes else 200


def body_type(route: APIRoute, parameter_names: set[str]) -> type[BaseModel] | None:
    """The endpoint argument FastAPI reads from the body: a model that is not a parameter."""
    hints = typing.get_type_hints(route.endpoint, include_extras=True)
    for name, hint in hints.items():
        base = typing.get_args(hint)[0] if typing.get_origin(hint) is typing.Annotated else hint
        if name == "return" or name in parameter_names:
            continue
        if isinstance(base, type) and issubclass(base, BaseModel):
            return base
    return None


def parameter_schema(schema: Any, components: Mapping[str, Any], declared: set[str]) -> Any:
    """A parameter's schema with each OpenAPI component reference turned into a reference to
    the wire type of that name, or replaced by the component itself when none is declared."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(_COMPONENT_PREFIX):
            name = ref[len(_COMPONENT_PREFIX) :]
            if name in declared:
                return {"$ref": _DEF_PREFIX + name}
            return parameter_schema(components.get(name, {}), components, declared)
        return {key: parameter_schema(value, components, declared) for key, value in schema.items()}
    if isinstance(schema, list):
        return [parameter_schema(value, components, declared) for value in schema]
    return schema


def render_paths(
    ops: Sequence[Operation],
    type_refs: Mapping[type[Any], str],
    components: Mapping[str, Any],
    declared: set[str],
) -> list[str]:
    """``export interface ApiPaths`` and its helper types, as lines of TypeScript."""
    lines = [
        "/**",
        " * Every path of the API → method → `path` and `query` parameters, request `body` and",
        " * `response` (the success status's envelope). A client typed by it is checked by tsc.",
        " */",
        "export interface ApiPaths {",
    ]
    by_path: dict[str, list[Operation]] = {}
    for op in ops:
        by_path.setdefault(op.path, []).append(op)
    for path, methods in by_path.items():
        lines.append(f"  {literal(path)}: {{")
        for op in methods:
            lines += jsdoc([f"{op.summary} ({op.status})"] if op.summary else [], "    ")
            lines.append(f"    {op.method}: {{")
            for location in ("path", "query"):
                members = parameter_object(op, location, components, declared)
                lines.append(f"      {location}: {members};")
            body = type_refs[op.body] if op.body is not None else "never"
            response = type_refs[op.response] if op.response is not None else "unknown"
            lines += [f"      body: {body};", f"      response: {response};", "    };"]
        lines.append("  };")
    lines += [
        "}",
        "",
        "/** A path of the API. */",
        "export type ApiPath = keyof ApiPaths;",
        "/** The methods one path answers. */",
        "export type ApiMethod<P extends ApiPath> = keyof ApiPaths[P] & string;",
    ]
    return lines


def parameter_object(
    op: Operation, location: str, components: Mapping[str, Any], declared: set[str]
) -> str:
    """``{ name: type; other?: type }`` of the operation's parameters in ``location``."""
    references = {name: RefTarget(name) for name in declared}
    members = [
        f"{property_key(name)}{'' if required else '?'}: "
        + render_type(parameter_schema(schema, components, declared), references)
        for where, name, required, schema in op.parameters
        if where == location
    ]
    return "{ " + "; ".join(members) + " }" if members else "Record<string, never>"
