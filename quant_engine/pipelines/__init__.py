"""The library half of each cache-filling command; the commands themselves stay thin.

- :mod:`.wrds_refresh`: incremental CRSP daily refresh (``qe-wrds-refresh``);
- :mod:`.kalshi_events`: Kalshi events, markets and candles to the cache (``qe-kalshi-pipeline``);
- :mod:`.gapfill`: missing NYSE sessions filled from IBKR or Alpaca (the gap-fill script);
- :mod:`.intraday`: intraday bar downloads (``scripts/*_intraday_download.py``).

Pipelines use :mod:`quant_engine.data` and :mod:`quant_engine.kalshi` only. Nothing is imported
here: import the submodule you need.
"""
