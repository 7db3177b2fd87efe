"""A small source tree with one import of every shape, for the dependency-extraction tests."""

from __future__ import annotations

from pathlib import Path

A_SOURCE = '''"""Module a: one import of every shape."""
from __future__ import annotations
import os.path
from typing import TYPE_CHECKING
from pkg.sub import (
    mod,
    helper,
)
import numpy as np
if TYPE_CHECKING:
    from pkg import b
else:
    import json
try:
    import yaml
except ImportError:
    from pkg.sub import mod as yaml
if os.sep == "/":
    import pkg.b
def f():
    import pkg.sub.mod.thing
    from . import missing
    from .nope import x
    return 1
class K:
    def m(self):
        if True:
            import csv
'''

FIXTURE: dict[str, str | bytes] = {
    "pkg/__init__.py": "from . import a\nfrom .sub import mod, helper\n",
    "pkg/a.py": A_SOURCE,
    "pkg/b.py": "x = 1\n",
    "pkg/sub/__init__.py": "def helper():\n    return 1\n",
    "pkg/sub/mod.py": "from .. import b\nfrom ..a import f\nfrom ... import toofar\n",
    "pkg/plain/tool.py": "import pkg.a\n",
    "pkg/bad.py": "import os\ndef broken(:\n    pass\n",
    "pkg/latin.py": b'import os\ns = "\xff"\n',
    "pkg/cookie.py": b'# -*- coding: latin-1 -*-\nimport os\ns = "\xe9"\n',
    "tools/run.py": "from pkg import a\nfrom tools import helpers\nfrom . import helpers as h2\n",
    "tools/helpers.py": "import tools.run\nimport café\n",
}


def write_tree(base: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
