"""Every URL of the project, asked by someone who must not get in, gives nothing away.

The sweep walks `get_resolver()`, so a URL added tomorrow is swept the day it is added:
one whose arguments the sweep cannot build fails `test_every_url_can_be_swept`. Each URL
gets GET, POST, PUT, PATCH and DELETE from a member of another workspace (session and
API token), from a viewer of the victim workspace (every non-GET), and signed out. The
answer must refuse (404, 403, 405, 401 for the API, or a redirect to a login page), and
no row of any table may change.
"""

import datetime
import re

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test import AsyncClient, Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api.models import ApiToken
from api.services import api_token_create
from comments.services import comment_create
from diagnostics.services import evidence_add, stage_metric_record, step_mapping_set
from interchange.tables import CSV_TABLES
from maps.models import LaneKind
from portfolio.services import map_personas_set, map_template_save, persona_create, stage_link_set
from reports.services import export_job_request
from stakeholders.services import intersection_create
from workshop.models import VoteTarget
from workshop.selectors import share_link_token
from workshop.services import share_link_create, share_link_revoke, vote_session_open

from . import factories
from .healthcare import make_checkpoint, make_step, make_track, stakeholder_of
from .test_scoping import Victim

METHODS = ("get", "post", "put", "patch", "delete")
LOGIN = "/accounts/login/?next="

# Signing in, signing up, resetting a password, confirming an email, single sign-on (django-allauth):
# for signed-out people, granted by what they know or hold; tested in test_accounts_*.py.
ACCOUNTS_PUBLIC = {
    "account_login", "account_inactive", "account_signup", "account_reset_password", "account_reset_password_done",
    "account_reset_password_from_key", "account_reset_password_from_key_done", "account_confirm_email",
    "account_email_verification_sent", "account_confirm_login_code", "mfa_authenticate",
    "socialaccount_login_cancelled", "socialaccount_login_error", "socialaccount_signup",
    "openid_connect_login", "openid_connect_callback",
}
# A person's own account: email addresses, password, two-factor, sessions, connections.
ACCOUNTS_OWN = {
    "accounts:profile", "account_logout", "account_email", "account_change_password", "account_set_password",
    "account_reauthenticate", "mfa_index", "mfa_reauthenticate", "mfa_activate_totp", "mfa_deactivate_totp",
    "mfa_view_recovery_codes", "mfa_generate_recovery_codes", "mfa_download_recovery_codes",
    "socialaccount_connections", "usersessions_list", "notifications:settings",
}
# Holding a secret token (or nothing at all) is what grants these; they are tested where they live.
PUBLIC = {"login", "workspaces:accept", "workshop:share_present", "workshop:share_events",
          "api:openapi", "notifications:unsubscribe"} | ACCOUNTS_PUBLIC
# These name nothing of a workspace: they show or change only the signed-in person's own things.
UNSCOPED = {"home", "logout", "maps:list", "workspaces:create", "comments:mentions", "comments:mentions_count",
            "comments:mentions_seen", "api_tokens:list", "api:map_list", "portfolio:search"} | ACCOUNTS_OWN
# allauth's unnamed redirects from its old /accounts/social/ paths to /accounts/3rdparty/.
LEGACY_REDIRECTS = re.compile(r"^:accounts/social/")
# What a viewer may do to a map: talk, vote, export, say which card they are editing.
VIEWER_MAY = {"comments:create", "workshop:vote_add", "workshop:vote_remove", "reports:exports", "live:editing"}
# Pages a viewer may not even read: the workspace's record names people, their roles and their tokens.
VIEWER_MAY_NOT_READ = {"workspaces:activity"}
# Event streams: an access check, then a stream that WSGI answers with 204; swept with the AsyncClient below.
STREAMS = {"live:events"}


def _walk(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name or f"{namespace}:{prefix}{entry.pattern}", entry, prefix + str(entry.pattern)


def all_patterns():
    """(name, pattern, route) of every URL of the project."""
    return list(_walk(get_resolver()))


class ProjectVictim(Victim):
    """The victim workspace with one of everything a URL can name."""

    def __init__(self, workspace, owner):
        super().__init__(workspace, owner)
        journey = self.journey
        self.friction = factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="Private friction")
        self.metric = stage_metric_record(actor=owner, journey=journey, stage=self.stage,
                                          period=datetime.date(2026, 1, 1), entered=120, progressed=60)
        self.stakeholder = stakeholder_of(workspace, "clinical")
        self.step = make_step(make_track(journey, owner, group="clinical"), owner, title="Private step")
        other_step = make_step(make_track(journey, owner, group="patient_caregiver"), owner, title="Private other")
        self.intersection = intersection_create(actor=owner, journey=journey, steps=[self.step, other_step],
                                                data={"stage": self.stage, "title": "Private intersection"})
        self.checkpoint = make_checkpoint(journey, owner, title="Private checkpoint")
        self.job = export_job_request(actor=owner, journey_id=journey.pk, format="json")
        self.vote = vote_session_open(actor=owner, journey=journey, target=VoteTarget.FRICTION, dots_per_person=3)
        self.share = share_link_create(actor=owner, journey=journey, label="Private link")
        self.comment = comment_create(actor=owner, journey=journey, target=self.card, body="Private comment")
        self.token, _secret = api_token_create(user=owner, name="Private token")
        self.persona = persona_create(actor=owner, workspace=workspace, data={
            "name": "Private persona", "summary": "Private summary", "goals": "Private goals"})
        map_personas_set(actor=owner, journey=journey, version=journey.version, primary=self.persona, others=[])
        detail = factories.make_journey(workspace, owner, title="Private detail")
        stage_link_set(actor=owner, stage=self.stage, detail=detail)
        self.template = map_template_save(actor=owner, journey=journey, name="Private template")
        self.mapping = step_mapping_set(actor=owner, journey=journey, step="Private step", stage=self.stage)
        self.evidence = evidence_add(actor=owner, journey=journey, card_id=self.friction.pk, kind="survey",
                                     summary="Private finding", source="Private survey",
                                     observed_on=datetime.date(2026, 1, 1))

    def kwargs_for(self, name, pattern):
        """Arguments naming the victim's objects; a KeyError means the sweep does not know this URL yet."""
        by_name = {
            "stakeholders:edit": {"pk": self.stakeholder.pk},
            "compliance:checkpoint_review": {"pk": self.checkpoint.pk},
            "compliance:touchpoint_access": {"card_pk": self.card.pk},
            "maps:card_restore": {"card_pk": self.deleted.pk},
            "workshop:vote_add": {"card_pk": self.friction.pk},
            "workshop:vote_remove": {"card_pk": self.friction.pk},
            "stakeholders:intersection_edit": {"item_pk": self.intersection.pk},
            "maps:item_delete": {"kind": "card", "item_pk": self.card.pk},
            "maps:deleted_map_restore": {"deletion_pk": self.deleted_map.pk},
            "workshop:share_present": {"token": share_link_token(link=self.share)},
            "workshop:share_events": {"token": share_link_token(link=self.share)},
            "portfolio:persona": {"pk": self.persona.pk},
            "portfolio:persona_edit": {"pk": self.persona.pk},
            "portfolio:stage_link": {"stage_pk": self.stage.pk},
        }.get(name, {})
        axis = pattern.default_args.get("axis")
        values = {
            "pk": self.journey.pk, "map_id": self.journey.pk, "slug": self.workspace.slug,
            "card_pk": self.card.pk, "card_id": self.card.pk, "target_pk": self.card.pk, "kind": "card",
            "item_pk": self.stage.pk if axis == "stage" else self.lane.pk,
            "stage_id": self.stage.pk, "lane_id": self.lane.pk, "metric_pk": self.metric.pk,
            "step_pk": self.step.pk, "job_pk": self.job.pk, "export_id": self.job.pk,
            "session_pk": self.vote.pk, "link_pk": self.share.pk, "comment_pk": self.comment.pk,
            "member_pk": self.workspace.memberships.get(user=self.owner).pk,
            "deletion_pk": self.deletion.pk, "change_pk": self.journey.changes.order_by("-id").first().pk,
            "token": self.invitation.token, "token_id": self.token.pk, "invitation_id": self.invitation.pk,
            "mapping_pk": self.mapping.pk, "evidence_pk": self.evidence.pk,
            "team_pk": self.workspace.teams.order_by("pk").last().pk,
            "format_name": "json", "table": next(iter(CSV_TABLES)), "unmatched": "nothing/here/",
            "key": self.template.key, "uidb36": "1",  # key: a template's; also allauth's email and password-reset links
        } | by_name
        if name.startswith("openid_connect_"):  # the provider id is in the including pattern
            return {"provider_id": "sso"}
        names = list(pattern.pattern.converters) or list(pattern.pattern.regex.groupindex)
        return {key: values[key] for key in names}

    def url(self, name, pattern):
        if pattern.name is None:  # allauth's unnamed legacy redirects
            return None
        return reverse(name, kwargs=self.kwargs_for(name, pattern))


def tables_checksum():
    """One md5 per table over all of its rows: any insert, update or delete shows.
    Sessions are left out: signing in writes them, and they hold no workspace data."""
    tables = [t for t in connection.introspection.table_names() if t != "django_session"]
    sql = " UNION ALL ".join(
        f"SELECT '{t}', md5(coalesce(string_agg(md5(r::text), '' ORDER BY md5(r::text)), '')) FROM \"{t}\" r"
        for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def _changed(before, after):
    return sorted(t for t in before if before[t] != after.get(t))


# Generic form data with the fields most views ask for, so a hole would really write something.
DATA = {"version": 1, "title": "Hijacked", "name": "Hijacked", "body": "Hijacked", "label": "Hijacked",
        "kind": "designed", "template": "blank", "status": "approved", "minutes": 5, "days": 3,
        "dots_per_person": 3, "target": "friction", "format": "json", "role": "owner",
        "email": "intruder@example.test", "position": 1}


def send_form(client, method, url, **headers):
    """A request with a form body: POST as a browser sends it, the other methods urlencoded."""
    if method == "get":
        return client.get(url, headers=headers)
    if method == "post":
        return client.post(url, DATA, headers=headers)
    return getattr(client, method)(url, "version=1&title=Hijacked",
                                   content_type="application/x-www-form-urlencoded", headers=headers)


@pytest.fixture
def victim(workspace, owner):
    return ProjectVictim(workspace, owner)


@pytest.fixture
def intruder(other_workspace):
    """The owner of another workspace."""
    return other_workspace.memberships.get().user


def _swept():
    return [(name, pattern) for name, pattern, _route in all_patterns() if name not in PUBLIC | UNSCOPED]


def test_every_url_can_be_swept(victim):
    """Every URL is swept, public, or unscoped, and the sweep can build its arguments."""
    unbuildable = []
    for name, pattern, route in all_patterns():
        try:
            victim.url(name, pattern)
        except KeyError as missing:
            unbuildable.append(f"{name} ({route}): no value for {missing}")
    assert not unbuildable
    # Only allauth's legacy redirects are unnamed; a project URL must have a name.
    assert all(LEGACY_REDIRECTS.match(name) for name, pattern, _route in all_patterns() if pattern.name is None)
    names = {name for name, _pattern, _route in all_patterns()}
    assert PUBLIC | UNSCOPED | VIEWER_MAY | STREAMS <= names
    assert len(_swept()) >= 90  # the admin (unmounted) no longer counts


def _assert_refused(name, url, responses, allowed, *, login=None):
    if callable(allowed):
        allowed = allowed(name)
    for method, response in responses.items():
        status = response.status_code
        if login and status == 302:
            assert response["Location"].startswith(login), (name, method, url, response["Location"])
            continue
        assert status in allowed, (name, method, url, status)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Private" not in body, (name, method, url)


def _sweep(client, victim, *, methods, allowed, login=None, skip=frozenset(), headers=None):
    for name, pattern in _swept():
        if name in skip:
            continue
        url = victim.url(name, pattern)
        if url is None:
            continue
        before = tables_checksum()
        responses = {method: send_form(client, method, url, **(headers or {})) for method in methods}
        _assert_refused(name, url, responses, allowed, login=login)
        assert not _changed(before, tables_checksum()), (name, url)


def test_a_member_of_another_workspace_gets_nothing(victim, intruder):
    client = Client()
    client.force_login(intruder)
    # The API wants a token (401).
    _sweep(client, victim, methods=METHODS, allowed={401, 403, 404, 405}, skip=STREAMS,
           headers={"HX-Request": "true"})


def test_unscoped_pages_show_nothing_of_another_workspace(victim, intruder):
    client = Client()
    client.force_login(intruder)
    _token, secret = api_token_create(user=intruder, name="intruder")
    for name, pattern, _route in all_patterns():
        if name in UNSCOPED - {"logout"}:
            response = client.get(victim.url(name, pattern), headers={"Authorization": f"Bearer {secret}"})
            # An account page that does not apply (no authenticator to deactivate yet) answers 404.
            allowed = {200, 302, 405} | ({404} if name in ACCOUNTS_OWN else set())
            _assert_refused(name, response.request["PATH_INFO"], {"get": response}, allowed)


# Lower-case queries: the page repeats the query, and "Private" marks what must not leak.
@pytest.mark.parametrize("query", ["private", "private persona", "summary goals", "comment", "checkpoint", "friction"])
def test_search_finds_nothing_of_another_workspace(victim, intruder, query):
    client = Client()
    client.force_login(intruder)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(reverse("portfolio:search"), {"q": query}, headers=headers)
        assert response.status_code == 200 and b"Private" not in response.content, (query, headers)
    # The same query finds the victim's things for the victim, so the sweep above can fail.
    owner = Client()
    owner.force_login(victim.owner)
    assert b"Private" in owner.get(reverse("portfolio:search"), {"q": "private"}).content


def test_an_api_token_of_another_workspace_gets_nothing(victim, intruder):
    _token, secret = api_token_create(user=intruder, name="intruder")
    api = {name for name, _pattern in _swept() if name.startswith("api:")}
    client = Client()
    for name, pattern, _route in all_patterns():
        if name not in api:
            continue
        url = victim.url(name, pattern)
        before = tables_checksum()
        responses = {method: client.generic(method.upper(), url, '{"title": "Hijacked", "version": 1}',
                                            content_type="application/json",
                                            headers={"Authorization": f"Bearer {secret}"}) for method in METHODS}
        _assert_refused(name, url, responses, {403, 404, 405})
        assert 404 in {r.status_code for r in responses.values()}, (name, url)
        # Using a token stamps its own last-used time; nothing else may change.
        assert _changed(before, tables_checksum()) in ([], ["api_apitoken"]), (name, url)
        assert ApiToken.objects.get(pk=victim.token.pk).last_used_at == victim.token.last_used_at


def test_a_viewer_changes_nothing(victim, viewer):
    client = Client()
    client.force_login(viewer)
    # A viewer reads the map (GET is allowed) but every change is refused.
    _sweep(client, victim, methods=("post", "put", "patch", "delete"), allowed={401, 403, 404, 405},
           skip=VIEWER_MAY | STREAMS)


def test_a_viewer_cannot_read_the_workspace_record(victim, viewer):
    client = Client()
    client.force_login(viewer)
    patterns = {name: pattern for name, pattern, _route in all_patterns()}
    assert VIEWER_MAY_NOT_READ <= set(patterns)
    for name in VIEWER_MAY_NOT_READ:
        url = victim.url(name, patterns[name])
        responses = {"get": client.get(url), "htmx": client.get(url, headers={"HX-Request": "true"})}
        _assert_refused(name, url, responses, {403})
    # The owner reads it, and it holds what the sweeps look for, so the refusals above can fail.
    owner = Client()
    owner.force_login(victim.owner)
    for name in VIEWER_MAY_NOT_READ:
        assert b"Private" in owner.get(victim.url(name, patterns[name])).content


def test_signed_out_people_are_sent_to_log_in(victim):
    # Only the API answers for itself (401, or 404 for a path it does not have); every page sends to the login.
    _sweep(Client(), victim, methods=METHODS, login=LOGIN,
           allowed=lambda name: {401, 404, 405} if name.startswith("api:") else {405})


@pytest.mark.parametrize("who", ["intruder", "signed_out"])
def test_the_event_stream_of_another_workspace_is_refused(victim, intruder, who):
    client = AsyncClient()
    if who == "intruder":
        client.force_login(intruder)
    url = reverse("live:events", args=[victim.journey.pk])
    response = async_to_sync(client.get)(url)
    if who == "intruder":
        assert response.status_code == 404
    else:
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_revoked_share_link_stream_is_refused(victim, owner):
    share_link_revoke(actor=owner, link=victim.share)
    for name in ("workshop:share_present", "workshop:share_events"):
        url = reverse(name, args=[share_link_token(link=victim.share)])
        assert async_to_sync(AsyncClient().get)(url).status_code == 404
