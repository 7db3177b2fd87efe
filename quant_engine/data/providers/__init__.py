"""Market-data providers: ``sample`` (embedded, offline) and the clients of the cached sources."""
