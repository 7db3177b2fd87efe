"""The documentation pages work offline: every asset they load is served by the API itself."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

ASSET_RE = re.compile(r"""(?:src|href|url)\s*[:=]\s*["']([^"']+)["']""")
EXPECTED = {
    "/api/docs": {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"},
    "/api/redoc": {"redoc.standalone.js", "favicon.png"},
}


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_docs_page_loads_only_local_assets_that_answer(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    urls = set(ASSET_RE.findall(response.text))
    assets = {url for url in urls if not url.endswith(".json")}  # the OpenAPI document
    assert {url.rsplit("/", 1)[-1] for url in assets} >= EXPECTED[page]
    assert "//" not in response.text.replace("http://www.w3.org", ""), "a remote URL is loaded"
    for url in assets:
        assert url.startswith("/api/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000, url  # the file itself, not an error page
    assert client.get(next(u for u in urls if u.endswith(".json"))).status_code == 200
