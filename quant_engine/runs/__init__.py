"""Run records: every entry point's reproducibility manifest, from first write to verify.

- :mod:`.manifest`: the model (``RunManifest`` and its parts), also the wire type;
- :mod:`.record`: ``record_run`` and the manifest a run starts with;
- :mod:`.recorder`: what a run reports while it works (inputs, models, outputs, results);
- :mod:`.lifecycle`: final status from an exception, and SIGTERM handling;
- :mod:`.store`: file names, atomic publishing, latest pointers, scanning and pruning;
- :mod:`.index`: the SQLite run index the listings and lookups read;
- :mod:`.lookup`: a run's manifest from a path, ``latest[:script]``, a run id or prefix;
- :mod:`.provenance`, :mod:`.redaction`, :mod:`.hashing`: what is recorded, and safely;
- :mod:`.verify`: re-run a manifest and compare, or diff two;
- :mod:`.cli`: ``qe-runs``.

Nothing is imported here: import the submodule you need.
"""
