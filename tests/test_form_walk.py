"""Every form the project serves, filled the way a person fills it, as a full page and as HTMX.

An owner's walk must succeed and save every value chosen; a viewer's same walk must be refused
with 403 and change nothing (never a server error). A form class of the project that no page
serves fails the walk, so a new form is walked the day it is added."""

import inspect

import pytest
from django import forms as django_forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client

from core.apps import project_app_configs
from interchange.native import render_json
from maps.models import LaneKind

from . import factories
from .form_walk import as_saved, crawl, fill, messages_in, snapshot, written
from .test_security_isolation import (ACCOUNTS_OWN, ACCOUNTS_PUBLIC, PUBLIC, UNSCOPED, VIEWER_MAY, ProjectVictim,
                                      all_patterns)

# Values a form takes that are deliberately not kept as typed, each with the reason.
NOT_KEPT_AS_TYPED = {
    ("maps:create", "template"): "decides the stages and lanes the new map starts with",
    ("diagnostics:step_mapping", "step"): "kept as the import compares it: trimmed and case-folded",
    ("diagnostics:step_mapping", "target"): "'ignore' is kept as a mapping with no stage",
}
# django-allauth's own forms (passwords are kept hashed, a reset is an email): what each keeps is
# tested in tests/test_accounts_*.py; here they must only answer without an error.
ACCOUNT_FORMS = ACCOUNTS_OWN | ACCOUNTS_PUBLIC
# Choices a person makes knowing the domain, each with the reason (None: left empty).
FILL_RULES = {
    "maps:create": {"kind": "observed"},  # only an observed map observes another (the walk fills "observes")
    "maps:journey_edit": {"kind": "observed"},
    # A checkpoint attaches to exactly one of a stage, a touchpoint or a sub-map step.
    "compliance:checkpoint_create": {"touchpoint": None, "step": None},
    "compliance:checkpoint_edit": {"touchpoint": None, "step": None},
    # Requiring two-factor sign-in needs the owner's own authenticator first (tests/test_accounts_two_factor.py).
    "workspaces:two_factor": {"require_two_factor": None},
}


def _prepare(form, world, actor):
    """What a person does before this form makes sense: a dot is taken back after it was given."""
    if form.url_name == "workshop:vote_remove":
        from workshop.services import vote_add

        vote_add(actor=actor, session=world.vote, card_id=int(form.action.rstrip("/").split("/")[-2]))


# The person's own things (their account, their tokens, a workspace of their own): a viewer of
# someone else's workspace may change those.
PERSONAL = UNSCOPED | PUBLIC | {"workspaces:create", "api_tokens:revoke"}


def _files(journey):
    return {
        "file": lambda: SimpleUploadedFile("map.json", render_json(journey.pk), content_type="application/json"),
    }


def _csv_upload(journey):
    stage = journey.stages.first()
    content = f"stage,period,entered,progressed\n{stage.name},2026-02,150,90\n".encode()
    return {"file": lambda: SimpleUploadedFile("metrics.csv", content, content_type="text/csv")}


@pytest.fixture
def world(workspace, owner, editor, viewer):
    victim = ProjectVictim(workspace, owner)
    for kind in LaneKind.values:  # a card of every kind, so each kind's edit form is served
        if not victim.journey.lanes.filter(kind=kind).exists():
            victim.journey.lanes.create(name=f"{kind} lane", kind=kind, position=victim.journey.lanes.count())
        factories.make_card(victim.journey, owner, kind=kind, title=f"A {kind} card")
    return victim


def _start_urls(victim) -> list[str]:
    urls = []
    for name, pattern, _route in all_patterns():
        if name.startswith("admin:") or name in PUBLIC or pattern.name is None:
            continue
        urls.append(victim.url(name, pattern))
    return urls


def _tables() -> list[str]:
    return [t for t in connection.introspection.table_names() if t != "django_session"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _event_log(journey):
    stage = journey.stages.first()
    content = f"case_id,step,timestamp\nc1,{stage.name},2026-01-05T09:00:00\n".encode()
    return {"file": lambda: SimpleUploadedFile("events.csv", content, content_type="text/csv")}


def _files_for(form, journey):
    if form.url_name == "diagnostics:metrics_upload":
        return _csv_upload(journey)
    if form.url_name == "diagnostics:events":
        return _event_log(journey)
    return _files(journey)


@pytest.fixture
def walk(world, owner):
    """The forms an owner is served, and the project form classes the pages built on the way."""
    built = set()
    original = django_forms.BaseForm.__init__

    def recording_init(self, *args, **kwargs):
        built.add(type(self))
        original(self, *args, **kwargs)

    django_forms.BaseForm.__init__ = recording_init
    try:
        forms = crawl(_client(owner), _start_urls(world))
    finally:
        django_forms.BaseForm.__init__ = original
    return forms, built


def _submit(client, form, data, hx):
    headers = {"HTTP_HX_REQUEST": "true"} if hx else {}
    return client.post(form.action, data, **headers)


def _fullest(forms: dict) -> list:
    """The same form on a map that lacks the rows some of its fields choose from (no sub-map steps to
    align, say) renders fewer fields; the walk fills the fullest one it was served."""
    fields = [(form.url_name, set(form.fields)) for form in forms.values()]
    return [form for form in forms.values()
            if not any(name == form.url_name and set(form.fields) < other for name, other in fields)]


def test_every_form_filled_by_an_owner_succeeds_and_saves_every_value(world, owner, walk):
    forms, built = walk
    forms = {form.key: form for form in _fullest(forms)}
    _assert_every_form_class_is_served(built)
    assert len(forms) >= 40, sorted(forms)
    client, tables, problems = _client(owner), _tables(), []
    for form in forms.values():
        for hx in (False, True):
            savepoint = transaction.savepoint()
            _prepare(form, world, owner)
            data, chosen = fill(form, _files_for(form, world.journey), FILL_RULES.get(form.url_name))
            before = snapshot(tables)
            response = _submit(client, form, data, hx)
            saved = written(before, snapshot(tables))
            transaction.savepoint_rollback(savepoint)
            where = f"{form.url_name} {'htmx' if hx else 'page'} (found on {form.page})"
            if response.status_code >= 400 or response.get("Location", "").startswith("/accounts/login/"):
                problems.append(f"{where}: {response.status_code} {messages_in(response.content.decode())} for {data}")
                continue
            for name, value in chosen.items():
                if (form.url_name, name) in NOT_KEPT_AS_TYPED or form.url_name in ACCOUNT_FORMS:
                    continue
                field = form.fields.get(name)
                for one in (value if isinstance(value, list) else [value]):
                    if field is not None and field.multiple and str(one) in field.shown:
                        continue  # already chosen when served (an edit keeping its steps): no row needs writing
                    if not any(spelling in saved for spelling in as_saved(one)):
                        problems.append(f"{where}: {name}={one!r} was not saved")
    assert not problems, "\n".join(problems)


def test_every_form_posted_by_a_viewer_is_refused_and_changes_nothing(world, viewer, walk):
    forms, _built = walk  # the forms an owner is served, posted by a viewer
    client, tables, problems = _client(viewer), _tables(), []
    for form in forms.values():
        if form.url_name in VIEWER_MAY | PERSONAL:
            continue
        for hx in (False, True):
            data, _chosen = fill(form, _files_for(form, world.journey), FILL_RULES.get(form.url_name))
            before = snapshot(tables)
            response = _submit(client, form, data, hx)
            where = f"{form.url_name} {'htmx' if hx else 'page'}"
            if response.status_code != 403:
                problems.append(f"{where}: {response.status_code} {response.content.decode()[:200]!r}")
            if snapshot(tables) != before:
                problems.append(f"{where}: a viewer's post changed something")
    assert not problems, "\n".join(problems)


# Form classes that parse input no page shows as a form of its own, each with where it is used.
NOT_A_PAGE_FORM = {
    "MoveForm": "parses the board's move buttons and drag-and-drop posts (walked as the stage and lane menus)",
    "VersionForm": "parses the version of a comment's resolve/reopen buttons (walked as those forms)",
    "AcceptForm": "served signed out on an invitation link: walked in test_a_signed_out_person_accepts_by_form",
}


def _assert_every_form_class_is_served(built):
    classes = set()
    for app in project_app_configs():
        for module_name in ("forms", "views"):
            try:
                module = __import__(f"{app.name}.{module_name}", fromlist=["*"])
            except ModuleNotFoundError:
                continue
            for _name, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, django_forms.BaseForm) and value.__module__.startswith(app.name + "."):
                    if not value.__name__.endswith("Base") and not value.__name__.startswith("Versioned"):
                        classes.add(value)
    served = {cls.__name__ for cls in built}
    missing = sorted(cls.__name__ for cls in classes if cls.__name__ not in served | set(NOT_A_PAGE_FORM))
    assert not missing, f"form classes no page serves to the walk: {missing}"


def test_a_signed_out_person_accepts_by_form(world):
    """The one form served to someone signed out: accepting an invitation with a new account."""
    from django.contrib.auth import get_user_model

    from workspaces.models import Membership

    from .form_walk import parse

    for hx in (False, True):
        client = Client()
        url = f"/invitations/{world.invitation.token}/"
        forms, _links = parse(client.get(url).content.decode(), url)
        (form,) = forms
        data, chosen = fill(form)
        savepoint = transaction.savepoint()
        response = client.post(form.action, data, **({"HTTP_HX_REQUEST": "true"} if hx else {}))
        assert response.status_code == 302, response.content.decode()[:500]
        user = get_user_model().objects.get(username__iexact=chosen["username"])  # usernames ignore case
        assert user.check_password(chosen["password"]) and user.email == world.invitation.email
        assert Membership.objects.filter(user=user, workspace=world.workspace).exists()
        transaction.savepoint_rollback(savepoint)
