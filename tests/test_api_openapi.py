"""/api/openapi.json: a valid OpenAPI 3.1 document that describes every route of api/urls.py,
and nothing else."""

import re

from django.test import Client
from openapi_spec_validator import validate

from api import urls as api_urls
from api.openapi import openapi_document

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def _documented() -> dict[str, set[str]]:
    return {path: {m.upper() for m in item if m in HTTP_METHODS} for path, item in openapi_document()["paths"].items()}


def _routed() -> dict[str, set[str]]:
    routes = {}
    for pattern in api_urls.urlpatterns:
        if pattern.name == "not_found":  # the JSON 404 for every other path
            continue
        path = "/api/" + re.sub(r"<int:(\w+)>", r"{\1}", str(pattern.pattern))
        routes[path] = set(pattern.callback.api_methods)
    return routes


def test_document_is_valid_openapi_3_1():
    document = openapi_document()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_route_is_documented_with_its_methods_and_nothing_else():
    assert _routed() == _documented()


def test_the_catch_all_comes_last():
    assert api_urls.urlpatterns[-1].name == "not_found"


def test_every_write_documents_its_errors_and_every_call_its_auth():
    for path, item in openapi_document()["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            if path == "/api/openapi.json":
                assert operation["security"] == []
                continue
            assert "401" in codes, (path, method)
            if "{" in path:
                assert "404" in codes, (path, method)
            if method in ("post", "patch"):
                assert {"400", "413", "415"} <= codes, (path, method)
                if not path.endswith("/exports/"):  # any member may export; changing the map needs a role
                    assert "403" in codes, (path, method)
                assert operation["requestBody"]["required"] is True
            if method == "patch":
                assert "409" in codes, (path, method)


def test_every_body_schema_refuses_unknown_fields():
    for name, schema in openapi_document()["components"]["schemas"].items():
        is_body = name.endswith(("Create", "Patch")) or "Create_" in name or "Patch_" in name
        if is_body and "properties" in schema:
            assert schema["additionalProperties"] is False, name
            assert schema["required"], name


def test_served_without_a_token(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == openapi_document()
