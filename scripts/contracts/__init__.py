"""The library behind ``generate_interface_contracts.py``: each module's public API and its users.

Modules: ``api`` (the public API of one module, read statically), ``diff`` (what breaks callers
between two contracts) and ``build`` (the contracts of a tree from its sources and edges, as
deterministic YAML).
"""
