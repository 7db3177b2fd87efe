"""Reliability suite: hostile inputs, crashes, concurrency and secrets.

Loopback only and bounded in time; CI runs it with the rest of the tests.
"""
