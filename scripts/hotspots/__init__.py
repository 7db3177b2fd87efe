"""The library behind ``hotspot_scoring.py``: where change, complexity and coupling meet.

Modules: ``churn`` (revisions and temporal coupling from git history), ``complexity`` (cyclomatic
complexity with radon), ``graph`` (the import graph: fan-in/out, instability, betweenness,
cycles), ``scoring`` (the hotspot score of every module file) and ``report`` (the JSON, Markdown
and PNG outputs).
"""
