"""Wire types of the API: plain Pydantic models (pydantic + standard library only), one module per
router; ``scripts/generate_types.py`` discovers every public module here and emits TypeScript.

Request bodies set ``model_config = ConfigDict(json_schema_mode_override="validation")`` so the
generated types mark their defaulted fields optional; every other model is a response type, whose
defaulted fields are always sent and so are required in TypeScript.
"""
