"""The library behind ``generate_types.py``: the dashboard's TypeScript types from the wire schemas.

Modules: ``defaults`` (the schema package, app module and regenerate command), ``discovery``
(find the schema modules and list their types), ``schema`` (one JSON Schema pass over every wire
type: modes, generics, names), ``typescript`` (render JSON Schema definitions as TypeScript) and
``outputs`` (the TypeScript, OpenAPI and JSON Schema files, rendered in memory and diffed).
"""
