"""The hygiene gates QE001-QE009 that ``audit.py`` runs; each finding names file:line and a fix.

Modules: ``findings`` (a finding and its text, JSON and GitHub formats), ``checks`` (the source
gates QE001-QE006 as pure functions over parsed source), ``architecture`` (QE007 import-linter
layers, QE008 import cycles), ``runner`` (feeds a repository to every gate) and ``freshness``
(QE009: the committed audit data matches the code).
"""
