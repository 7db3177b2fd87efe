"""Read engine state through its public APIs and shape it into the wire types the routers send.

Engine modules are imported inside functions: building the app (and its OpenAPI document)
stays cheap, and pandas or scikit-learn load only when a request needs them.
"""
