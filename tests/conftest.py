import pytest
from django.test import Client

from workspaces.models import Role

from . import factories


@pytest.fixture
def owner(db):
    return factories.make_user("owner")


@pytest.fixture
def workspace(owner):
    return factories.make_workspace(owner=owner, name="Acme Health")


@pytest.fixture
def editor(workspace):
    return factories.add_member(workspace, factories.make_user("editor"), Role.EDITOR)


@pytest.fixture
def viewer(workspace):
    return factories.add_member(workspace, factories.make_user("viewer"), Role.VIEWER)


@pytest.fixture
def journey(workspace, owner):
    return factories.make_journey(workspace, owner, title="Telehealth journey")


@pytest.fixture
def other_workspace(db):
    """A second organisation whose maps must never be visible to the first."""
    return factories.make_workspace(owner=factories.make_user("stranger"), name="Other Org")


@pytest.fixture
def other_journey(other_workspace):
    owner = other_workspace.memberships.get().user
    return factories.make_journey(other_workspace, owner, title="Their journey")


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner):
    return _client_for(owner)


@pytest.fixture
def editor_client(editor):
    return _client_for(editor)


@pytest.fixture
def viewer_client(viewer):
    return _client_for(viewer)


@pytest.fixture
def htmx():
    """Headers that make a test-client request look like htmx's."""
    return {"HTTP_HX_REQUEST": "true"}
