"""What the intraday download commands share: all but the bars source each one connects to.

Module: ``command`` (the parser with the intraday flags, and the download run under a manifest).
The download itself is :mod:`quant_engine.pipelines.intraday`.
"""
