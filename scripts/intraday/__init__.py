"""What the intraday download commands share: one command body, the source it connects to aside.

Module: ``command`` (the parser with the intraday flags, and the download run under a manifest).
The download itself is :mod:`quant_engine.pipelines.intraday`.
"""
