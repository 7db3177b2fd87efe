"""Reliability suite: hostile inputs, crashes, concurrency and secrets; loopback only, bounded in time."""
