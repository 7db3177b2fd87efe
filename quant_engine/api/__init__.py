"""HTTP API for the dashboard: ``create_app`` in :mod:`.main`, wire types in :mod:`.schemas`."""
