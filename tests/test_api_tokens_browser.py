"""The API tokens page in a real browser: create and revoke in place (HTMX) under the page's CSP."""

import pytest
from playwright.sync_api import expect

from api.models import ApiToken
from api.services import api_token_authenticate

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_then_revoke_without_a_reload(page_for, owner):
    page = page_for(owner)
    page.click("text=API tokens")
    page.wait_for_url("**/account/api-tokens/")
    page.evaluate("window.notReloaded = true")
    page.fill("#id_name", "Nightly report")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("code.secret")
    expect(secret).to_be_visible()
    assert api_token_authenticate(secret=secret.inner_text()) == owner
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator("#api-tokens")).to_contain_text("revoked")
    assert page.evaluate("window.notReloaded") is True  # both happened in place
    assert ApiToken.objects.get().revoked_at is not None
    assert page.errors == []
