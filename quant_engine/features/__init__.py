"""Features by mode (minimal ⊂ core ⊂ full) and forward-return labels; never look ahead."""

from quant_engine.features.labels import forward_returns
from quant_engine.features.pipeline import build_features, feature_names, mode_of

__all__ = ["build_features", "feature_names", "forward_returns", "mode_of"]
