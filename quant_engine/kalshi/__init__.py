"""Kalshi event markets: a REST v2 client, the event pipeline and session-aligned event features.

``client`` talks to the API (retries, pagination, historical endpoints), ``payloads`` validates
its responses, ``pipeline`` fetches and stores a series, ``features`` turns prices into implied
distributions per NYSE session. Nothing is imported here, so importing the package stays cheap.
"""
