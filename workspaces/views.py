from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ApplicationError, NotFound
from core.middleware import shows_secret

from . import services
from .forms import (
    AcceptForm,
    ActivityFilterForm,
    InviteForm,
    TeamDeleteForm,
    TeamForm,
    TeamRenameForm,
    TwoFactorForm,
    WorkspaceForm,
)
from .models import Invitation, Membership, Role, Team
from .selectors import (
    ActivityFilters,
    invitations_open,
    members_list,
    membership_get,
    role_require,
    teams_list,
    workspace_activity_choices,
    workspace_changes_list,
    workspace_get,
)


@login_required
@require_http_methods(["GET", "POST"])
def workspace_create(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.workspace_create(owner=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error.messages)
        else:
            return redirect("maps:list")
    return TemplateResponse(request, "workspaces/workspace_new.html", {"form": form}, status=422 if form.errors else 200)


def _members_context(request: HttpRequest, workspace, **overrides) -> dict:
    membership = membership_get(user=request.user, workspace_id=workspace.pk)
    return {
        "workspace": workspace,
        "is_owner": membership.role == Role.OWNER,
        "can_edit": membership.can_edit,
        "members": members_list(workspace=workspace),
        "roles": Role.choices,
        "invitations": invitations_open(workspace=workspace),
        "teams": _teams(workspace),
        "form": InviteForm(),
        "team_form": TeamForm(),
        "two_factor_form": TwoFactorForm(initial={"require_two_factor": workspace.require_two_factor}),
        "invitation": None,
    } | overrides


def _teams(workspace) -> list[dict]:
    """Each team with its rename form and, when nothing names it, its delete form."""
    teams = []
    for team in teams_list(workspace_id=workspace.pk):
        uses = services.team_uses(team=team)
        teams.append({"team": team, "uses": uses,
                      "rename": TeamRenameForm(initial={"name": team.name, "version": team.version},
                                               auto_id=f"team-{team.pk}-%s"),
                      "delete": None if uses else TeamDeleteForm(initial={"version": team.version},
                                                                 auto_id=f"team-{team.pk}-delete-%s")})
    return teams


def _team_get(workspace, team_pk: int) -> Team:
    team = Team.objects.filter(workspace=workspace, pk=team_pk).first()
    if team is None:
        raise NotFound("This team was deleted meanwhile.")
    return team


def _teams_response(request: HttpRequest, workspace, *, error: ApplicationError | None = None) -> HttpResponse:
    """After a team change: the teams region under HTMX, else the members page; a refusal shows its message there."""
    if error is None and not request.htmx:
        return redirect("workspaces:members", slug=workspace.slug)
    status = 200 if error is None else (409 if error.status_code == 409 else 422)
    template = "workspaces/members.html#teams" if request.htmx else "workspaces/members.html"
    return TemplateResponse(request, template, _members_context(request, workspace, team_error=error), status=status)


@login_required
@require_POST
def team_rename(request: HttpRequest, slug: str, team_pk: int) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    team = _team_get(workspace, team_pk)
    form = TeamRenameForm(request.POST)
    if not form.is_valid():
        return _teams_response(request, workspace, error=ApplicationError("Give the team a name."))
    try:
        services.team_rename(actor=request.user, team=team, version=form.cleaned_data["version"],
                             name=form.cleaned_data["name"])
    except ValidationError as error:
        return _teams_response(request, workspace, error=ApplicationError(" ".join(error.messages)))
    except ApplicationError as error:
        if error.status_code in (403, 404):
            raise
        return _teams_response(request, workspace, error=error)
    return _teams_response(request, workspace)


@login_required
@require_POST
def team_delete(request: HttpRequest, slug: str, team_pk: int) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    team = _team_get(workspace, team_pk)
    form = TeamDeleteForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.team_delete(actor=request.user, team=team, version=version)
    except ApplicationError as error:
        if error.status_code in (403, 404):
            raise
        return _teams_response(request, workspace, error=error)
    return _teams_response(request, workspace)


def _members_response(request: HttpRequest, workspace) -> HttpResponse:
    if not request.htmx:
        return redirect("workspaces:members", slug=workspace.slug)
    return TemplateResponse(request, "workspaces/members.html#members", _members_context(request, workspace))


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, member_pk: int) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    membership = get_object_or_404(Membership, workspace=workspace, pk=member_pk)
    services.member_set_role(actor=request.user, membership=membership, role=request.POST.get("role", ""))
    return _members_response(request, workspace)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, member_pk: int) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    membership = get_object_or_404(Membership, workspace=workspace, pk=member_pk)
    services.member_remove(actor=request.user, membership=membership)
    if membership.user_id == request.user.pk:  # they left: the workspace is no longer theirs to see
        return redirect("maps:list")
    return _members_response(request, workspace)


@login_required
@require_http_methods(["GET", "POST"])
@shows_secret
def members(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    form = InviteForm(request.POST or None)
    invitation = None
    if request.method == "POST" and form.is_valid():
        invitation = services.member_invite(actor=request.user, workspace=workspace, **form.cleaned_data)
        form = InviteForm()
    context = _members_context(request, workspace, form=form, invitation=invitation)
    return TemplateResponse(request, "workspaces/members.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["POST"])
def invitation_withdraw(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    services.invitation_withdraw(actor=request.user, workspace=workspace, invitation_id=invitation_id)
    return redirect("workspaces:members", slug=slug)


@login_required
@require_http_methods(["POST"])
def two_factor(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    form = TwoFactorForm(request.POST)
    form.is_valid()  # a checkbox: absent means off
    services.workspace_require_two_factor(actor=request.user, workspace=workspace,
                                          required=form.cleaned_data.get("require_two_factor", False))
    return redirect("workspaces:members", slug=slug)


@login_required
@require_http_methods(["POST"])
def team_create(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            services.team_create(actor=request.user, workspace=workspace, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error.messages)
    if form.errors:
        return TemplateResponse(request, "workspaces/members.html",
                                _members_context(request, workspace, team_form=form), status=422)
    return redirect("workspaces:members", slug=slug)


@require_http_methods(["GET", "POST"])
@shows_secret
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Signed in: accept with this account (its verified email must be the invited one). Signed out:
    sign in to accept, or create an account with the invited email."""
    invitation = get_object_or_404(Invitation.objects.select_related("workspace"), token=token)
    if not invitation.is_open:
        return TemplateResponse(request, "workspaces/accept.html", {"invitation": invitation, "closed": True},
                                status=410)
    signed_in = request.user.is_authenticated
    form = None if signed_in else AcceptForm(request.POST or None)
    if request.method == "POST":
        if signed_in:
            services.invitation_accept(token=token, user=request.user)
            return redirect("maps:list")
        if form.is_valid():
            try:
                user = services.invitation_sign_up(token=token, **form.cleaned_data)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
                return redirect("maps:list")
    context = {
        "invitation": invitation, "form": form,
        "email_matches": signed_in and services.invitation_email_matches(invitation=invitation, user=request.user),
    }
    return TemplateResponse(request, "workspaces/accept.html", context,
                            status=422 if form is not None and form.errors else 200)


@login_required
@require_GET
def activity(request: HttpRequest, slug: str) -> HttpResponse:
    """The record of the workspace's own things (registry, members, invitations, API tokens): owners and
    editors read it, viewers get 403 (it names people and their roles)."""
    workspace = workspace_get(user=request.user, slug=slug)
    role_require(user=request.user, workspace_id=workspace.pk)
    form = ActivityFilterForm(request.GET or None, **workspace_activity_choices(workspace=workspace))
    filters = ActivityFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = ActivityFilters(actor_id=data["actor"], entity=data["entity"], since=data["since"],
                                           until=data["until"])
    context = {"workspace": workspace, "filter_form": form,
               "changes": workspace_changes_list(workspace=workspace, filters=filters)}
    template = "workspaces/activity.html#changes" if request.htmx else "workspaces/activity.html"
    return TemplateResponse(request, template, context)
