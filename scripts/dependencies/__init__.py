"""The library behind ``extract_dependencies.py``: every import statement of a tree, as edges.

Modules: ``scan`` (the import records of one source, pure ``ast``), ``regions`` (records found by
parsing only the region around an import), ``locate`` (the fast scan: grimp's public import
graph finds the import lines, regions add the detail), ``tree`` (the modules of the analysed
roots and import resolution), ``cache`` (scans cached by content hash and parse mode),
``render`` (fast deterministic JSON), ``extract`` (the edges of a tree and their JSON file) and
``edges`` (reading the edges back).
"""
