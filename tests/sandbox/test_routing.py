"""Django/DRF plumbing: trailing slashes, unknown routes, methods, bodies, pagination."""

from __future__ import annotations

import pytest

from capdecl.sandbox import SandboxHandle
from tests.sandbox.helpers import Api


def test_get_without_slash_redirects_permanently(api: Api, sandbox: SandboxHandle) -> None:
    response = api.get("project")
    assert (response.status_code, response.headers["Location"]) == (301, f"{sandbox.url}project/")


def test_delete_without_slash_redirects_too(api: Api) -> None:
    p = api.project()
    assert api.delete(f"project/{p}").status_code == 301
    assert api.get(f"project/{p}/").status_code == 200  # nothing was deleted


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_writes_without_slash_are_a_debug_500_page(api: Api, method: str) -> None:
    response = api.request(method, "project", json={"name": "x"})
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/html")
    assert (
        f"You called this URL via {method}, but the URL doesn&#x27;t end in a slash"
        in response.text
    )
    assert api.ok(api.get("project/")) == []


def test_unknown_route_is_a_django_html_404(api: Api, sandbox: SandboxHandle) -> None:
    for path in ("team-info/", "project/x/capture/metadata/[a]=[b]/", "no/such/thing"):
        response = api.get(path)
        assert response.status_code == 404 and "<title>Page not found" in response.text
    assert sandbox.stats()["GET <unmatched>"] == 3


def test_wrong_method_is_a_json_405(api: Api) -> None:
    response = api.put("project/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "PUT" not allowed.', "status": 405}


def test_malformed_json_is_a_flat_400(api: Api) -> None:
    response = api.post("project/", data=b"{nope", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "JSON parse error - Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)",
        "status": 400,
    }


def test_nan_is_rejected_by_the_strict_json_parser(api: Api) -> None:
    body = b'{"name": "x", "settings": {"a": NaN}}'
    response = api.post("project/", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["detail"].startswith("JSON parse error")


def test_unsupported_media_type_is_415(api: Api) -> None:
    response = api.post("project/", data=b"name=x", headers={"Content-Type": "text/plain"})
    assert response.json() == {
        "detail": 'Unsupported media type "text/plain" in request.',
        "status": 415,
    }


def test_form_bodies_are_accepted(api: Api) -> None:
    created = api.ok(api.post("project/", data={"name": "from form"}), 201)
    assert created["name"] == "from form"


def test_lists_are_bare_arrays_unless_limit(api: Api, sandbox: SandboxHandle) -> None:
    for i in range(5):
        api.project(f"p{i}")
    assert [p["name"] for p in api.ok(api.get("project/"))] == [f"p{i}" for i in range(5)]
    page = api.ok(api.get("project/", params={"limit": 2, "offset": 2}))
    assert page["count"] == 5 and [p["name"] for p in page["results"]] == ["p2", "p3"]
    assert page["next"] == f"{sandbox.url}project/?limit=2&offset=4"
    assert page["previous"] == f"{sandbox.url}project/?limit=2"
    last = api.ok(api.get("project/", params={"limit": 2, "offset": 4}))
    assert last["next"] is None and last["previous"] == f"{sandbox.url}project/?limit=2&offset=2"
    assert isinstance(api.ok(api.get("project/", params={"limit": 0})), list)
    assert isinstance(api.ok(api.get("project/", params={"limit": "x"})), list)


def test_requests_are_counted_by_route_template(api: Api, sandbox: SandboxHandle) -> None:
    p = api.project()
    sandbox.reset_stats()
    api.get(f"project/{p}/")
    api.get(f"project/{p}/capture/")
    api.get(f"project/{p}/capture/")
    stats = sandbox.stats()
    assert stats == {"GET /project/{p}/": 1, "GET /project/{p}/capture/": 2}
    assert stats.requests == dict(stats) and stats.faults == sandbox.stats_faults()
    assert stats.faults == {"drop": 0, "error": 0, "throttle": 0, "commit_drop": 0}
