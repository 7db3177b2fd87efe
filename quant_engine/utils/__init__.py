"""Generic helpers below the engine: import the submodule you need.

- :mod:`~quant_engine.utils.atomic`: crash-safe file writes (temp file, fsync, rename/link);
- :mod:`~quant_engine.utils.json_form`: plain-JSON conversion, canonical JSON bytes, and reading
  a JSON-object file;
- :mod:`~quant_engine.utils.reproducibility`: the public façade of run manifests
  (``record_run``, ``build_run_manifest``, ``write_run_manifest``, the ``qe-runs`` CLI), whose
  machinery lives in :mod:`quant_engine.runs`.

Nothing is imported here, so ``python -m quant_engine.utils.reproducibility`` stays clean and
cheap.
"""
