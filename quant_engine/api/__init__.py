"""HTTP API for the dashboard; import-light, since any layer may use its ``schemas`` wire types."""
