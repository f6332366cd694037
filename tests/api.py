"""Helpers for the JSON API's tests: tokens through the real service, and a client that sends them."""

import json

from django.test import Client
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from api.openapi import openapi_document
from api.services import api_token_create


class ApiClient:
    """Django's test client with a bearer token and JSON bodies. It checks CSRF like a
    browser's request would be checked, so the tests show that the token alone is enough."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, **headers):
        return self.client.get(path, headers=self.headers | headers)

    def post(self, path: str, data=None, **kwargs):
        return self._send("post", path, data, **kwargs)

    def patch(self, path: str, data=None, **kwargs):
        return self._send("patch", path, data, **kwargs)

    def _send(self, method: str, path: str, data, *, raw: bytes | str | None = None,
              content_type: str = "application/json", **headers):
        body = raw if raw is not None else json.dumps(data)
        return getattr(self.client, method)(path, body, content_type=content_type, headers=self.headers | headers)


def client_for(user, name: str = "tests") -> ApiClient:
    _token, secret = api_token_create(user=user, name=name)
    return ApiClient(secret)


def _registry() -> Registry:
    return Registry().with_resource("urn:journeymap-api", Resource.from_contents(
        openapi_document() | {"$schema": "https://json-schema.org/draft/2020-12/schema"}))


def assert_matches(data, schema_name: str) -> None:
    """The body is what /api/openapi.json says the API sends."""
    validator = Draft202012Validator({"$ref": f"urn:journeymap-api#/components/schemas/{schema_name}"},
                                     registry=_registry())
    errors = sorted(validator.iter_errors(data), key=str)
    assert not errors, [e.message for e in errors[:5]]
