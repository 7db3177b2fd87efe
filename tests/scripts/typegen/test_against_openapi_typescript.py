"""The emitter against openapi-typescript on a probe API holding every construct a wire model
can: generics (recursive too), non-string dict keys, empty and variadic tuples, generics in a
request body, and the typed path map. ``tsc`` checks each claim.

Directions: a response type of ours must fit theirs (we may be more precise: the server always
sends a defaulted field); theirs must fit our request types (a defaulted field is optional);
parameters and the constructs both render exactly must be the same type.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from scripts.typegen.outputs import render_typescript
from tests.scripts.typegen.compiler import node_tool, typescript_compiler
from tests.scripts.typegen.probe_app import create_app

PROBE_PACKAGE = "tests.scripts.typegen.probe"
ROOT = Path(__file__).resolve().parents[3]

CHECKS = """
import type * as O from "./ours";
import type { components, paths } from "./theirs";

type S = components["schemas"];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Fits<A, B> = [A] extends [B] ? true : false;
type IsOptional<T, K extends keyof T> = {} extends Pick<T, K> ? true : false;
type Report = paths["/reports/{report_id}"]["get"];
type Orders = paths["/orders"]["post"];
type OurReport = O.ApiPaths["/reports/{report_id}"]["get"];
type OurOrders = O.ApiPaths["/orders"]["post"];

// responses: ours fits theirs
export const report: Fits<O.Report, S["Report"]> = true;
export const recursive: Fits<O.Tree<number>, S["Report"]["tree"]> = true;
export const page: Fits<O.Page<O.Item>, S["Report"]["page"]> = true;
export const keyed: Fits<O.Keyed, S["Keyed"]> = true;
export const reportResponse: Fits<
  OurReport["response"],
  Report["responses"][200]["content"]["application/json"]
> = true;
export const orderResponse: Fits<
  OurOrders["response"],
  Orders["responses"][201]["content"]["application/json"]
> = true;

// requests: theirs fits ours
export const order: Fits<S["Order"], O.Order> = true;
export const recursiveInput: Fits<S["Order"]["tree"], O.TreeInput<string>> = true;
export const body: Fits<
  NonNullable<Orders["requestBody"]>["content"]["application/json"],
  OurOrders["body"]
> = true;

// exactly the same
export const query: Same<OurReport["query"], NonNullable<Report["parameters"]["query"]>> = true;
export const path: Same<OurReport["path"], Report["parameters"]["path"]> = true;
export const dateKeys: Same<O.Keyed["by_date"], S["Keyed"]["by_date"]> = true;
export const pair: Same<O.Keyed["pair"], S["Keyed"]["pair"]> = true;
export const many: Same<O.Keyed["many"], S["Keyed"]["many"]> = true;

// where ours is the more precise of the two
export const empty: Same<O.Keyed["empty"], []> = true;
export const levelKeys: Same<O.Keyed["by_level"], { "1"?: string; "2"?: string }> = true;
export const colourKeys: Same<O.Keyed["by_colour"], { red?: number; blue?: number }> = true;
export const optionalTotal: IsOptional<O.PageInput<O.ItemInput>, "total"> = true;
"""


@pytest.fixture(scope="module")
def probe_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our types and openapi-typescript's for the probe API, with the checks beside them."""
    folder = tmp_path_factory.mktemp("probe")
    app = create_app()
    text, _ = render_typescript(PROBE_PACKAGE, app, quiet=True)
    (folder / "ours.ts").write_text(text)
    (folder / "openapi.json").write_text(json.dumps(app.openapi()))
    tool = node_tool("openapi-typescript")
    cmd = [str(tool), str(folder / "openapi.json"), "-o", str(folder / "theirs.ts")]
    subprocess.run(cmd, check=True, capture_output=True)
    (folder / "checks.ts").write_text(CHECKS)
    config = {"extends": str(ROOT / "tsconfig.json"), "include": ["*.ts"]}
    (folder / "tsconfig.json").write_text(json.dumps(config))
    return folder


def compile_probe(folder: Path) -> subprocess.CompletedProcess[str]:
    """``tsc`` with the repo's strict settings over the probe folder."""
    cmd = [str(typescript_compiler()), "-p", str(folder / "tsconfig.json")]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def test_every_construct_agrees_with_openapi_typescript(probe_dir: Path) -> None:
    result = compile_probe(probe_dir)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("ours", "wrong", "claim"),
    [
        ("children: Tree<T>[];", "children: Tree<string>[];", "recursive"),
        ("empty: [];", "empty: unknown[];", "empty"),
        ("total?: number;", "total: number;", "optionalTotal"),
        ("limit?: number }", "limit: number }", "query"),
        ("body: Order;", "body: Page<Item>;", "body"),
    ],
)
def test_a_wrong_rendering_fails_its_check(
    probe_dir: Path, tmp_path: Path, ours: str, wrong: str, claim: str
) -> None:
    for name in ("theirs.ts", "checks.ts", "tsconfig.json"):
        (tmp_path / name).write_text((probe_dir / name).read_text())
    text = (probe_dir / "ours.ts").read_text()
    assert ours in text
    (tmp_path / "ours.ts").write_text(text.replace(ours, wrong, 1))
    result = compile_probe(tmp_path)
    assert result.returncode != 0
    line = next(i for i, t in enumerate(CHECKS.splitlines()) if f"const {claim}:" in t)
    assert f"checks.ts({line + 1}," in result.stdout or f"checks.ts({line + 2}," in result.stdout, (
        result.stdout
    )
