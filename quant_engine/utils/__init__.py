"""Cross-cutting helpers below the data layer; import the submodule you need.

- :mod:`~quant_engine.utils.atomic`: crash-safe file writes (temp file, fsync, rename/link);
- :mod:`~quant_engine.utils.reproducibility`: run manifests (``record_run``, the ``qe-runs`` CLI),
  built from ``provenance``, ``redaction``, ``manifest_store`` and ``run_verify``.

Nothing is imported here, so ``python -m quant_engine.utils.reproducibility`` stays clean and
cheap.
"""
