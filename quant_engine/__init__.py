"""quant_engine: research and trading engine. Importing the package is cheap by design."""

__version__ = "0.1.0"
