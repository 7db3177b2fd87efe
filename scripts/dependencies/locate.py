"""Scan source files fast: grimp's Rust parser finds the import lines, regions add the detail.

grimp (already an audit dependency) parses every file with ruff's parser and reports the line and
text of each import. Only the regions around those lines are then read
(:mod:`scripts.dependencies.regions`). A file the fast path cannot vouch for (not plain UTF-8, a
coding cookie, a syntax error, a region that does not check out, grimp missing or changed) is
parsed whole by :func:`scripts.dependencies.scan.scan_source`; the tests check that both paths give
the same records on real packages. One difference remains by design: syntax newer than the
running Python, which ruff's parser accepts, is reported only when it lies in a region read.
grimp's scanner is not public API; everything about it is confined to :func:`grimp_import_lines`.
"""

from __future__ import annotations

import importlib.util
import os
import re
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

from scripts.dependencies.regions import records_near
from scripts.dependencies.scan import FileScan, scan_source

MAX_SYNTAX_RETRIES = 4
"""Files with syntax errors taken out of one grimp call before giving up on the fast path."""
PIPELINE_CHUNKS = 8
"""The fast path hands grimp this many chunks, so parsing can start after the first one."""
MIN_CHUNK_FILES = 32
"""Smaller chunks cost more in per-call overhead than the overlap wins."""

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)
_UTF8_NAMES = frozenset(("utf-8", "utf8", "utf_8"))
_BOM = b"\xef\xbb\xbf"


class ScanItem(NamedTuple):
    """One file to scan, and where it sits: its module name and its analysed root."""

    path: str
    module: str
    root_name: str
    root_dir: str
    is_package: bool


class BatchResult(NamedTuple):
    """Scans in item order, and how many files needed a whole-file parse."""

    scans: list[FileScan]
    full_parses: int


def fast_text(data: bytes, item: ScanItem) -> str | None:
    """The text when the fast path can take this file, else None."""
    if data.startswith(_BOM) or b"\x00" in data:
        return None
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    cookie = _COOKIE.search(data if second < 0 else data[:second])
    if cookie and cookie.group(1).decode("ascii", "replace").lower() not in _UTF8_NAMES:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # grimp cannot resolve relative imports that climb above the top package (it panics).
    depth = item.module.count(".") + 1 + int(item.is_package)
    if "." * depth in text and re.search(rf"from[\s\\]*\.{{{depth}}}", text):
        return None
    return text


def grimp_import_lines(items: Sequence[ScanItem]) -> dict[str, dict[int, str]]:
    """Per item (by path) that grimp could parse: the lines where its import statements start,
    each with its stripped text."""
    try:
        from grimp import _rustgrimp as rust  # type: ignore[attr-defined]
        from grimp.application.ports.modulefinder import FoundPackage, ModuleFile
        from grimp.domain.valueobjects import Module
        from grimp.exceptions import SourceSyntaxError
    except ImportError:
        return {}
    pending = {os.path.normpath(item.path): item for item in items}
    for _ in range(MAX_SYNTAX_RETRIES + 1):
        if not pending:
            return {}
        roots: dict[tuple[str, str], list[Any]] = {}
        for item in pending.values():
            module_file = ModuleFile(module=Module(item.module), mtime=0.0)
            roots.setdefault((item.root_name, item.root_dir), []).append(module_file)
        packages = {
            FoundPackage(name=name, directory=folder, module_files=frozenset(files))
            for (name, folder), files in roots.items()
        }
        module_files = tuple(f for files in roots.values() for f in files)
        try:
            found = rust.scan_for_imports(
                module_files=module_files,
                found_packages=packages,
                include_external_packages=True,
                exclude_type_checking_imports=False,
                file_system=rust.RealBasicFileSystem(),
            )
        except SourceSyntaxError as exc:
            if pending.pop(os.path.normpath(str(exc.filename)), None) is None:
                return {}
            continue
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # grimp's Rust panics derive from BaseException
            return {}
        by_module = {item.module: path for path, item in pending.items()}
        return {
            by_module[module.name]: {imp.line_number: imp.line_contents for imp in imports}
            for module, imports in found.items()
            if module.name in by_module
        }
    return {}


def grimp_available() -> bool:
    """Whether the fast path can run at all."""
    return importlib.util.find_spec("grimp") is not None


def scan_sources(items: Sequence[ScanItem], datas: Sequence[bytes]) -> BatchResult:
    """The fast path, pipelined: grimp (a thread; it releases the GIL and uses every core)
    finds the import lines of the next chunk while this thread parses the regions of the last.
    """
    texts = [fast_text(data, item) for item, data in zip(items, datas, strict=True)]
    eligible = [i for i, text in enumerate(texts) if text is not None]
    size = max(MIN_CHUNK_FILES, -(-len(eligible) // PIPELINE_CHUNKS))
    chunks = [eligible[k : k + size] for k in range(0, len(eligible), size)]
    scans: dict[int, FileScan] = {}
    full = 0
    with ThreadPoolExecutor(1) as pool, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        futures = [pool.submit(grimp_import_lines, [items[i] for i in chunk]) for chunk in chunks]
        for i, text in enumerate(texts):
            if text is None:
                full += 1
                scans[i] = scan_source(datas[i])
        for chunk, future in zip(chunks, futures, strict=True):
            lines = future.result()
            for i in chunk:
                found = lines.get(os.path.normpath(items[i].path))
                records = None if found is None else records_near(texts[i] or "", found)
                if records is None:
                    full += 1
                    scans[i] = scan_source(datas[i])
                else:
                    scans[i] = FileScan(records)
    return BatchResult([scans[i] for i in range(len(items))], full)


def parse_files(datas: Sequence[bytes]) -> BatchResult:
    """Parse each source whole with ``ast`` (module-level: a process pool runs it on batches)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BatchResult([scan_source(data) for data in datas], len(datas))
