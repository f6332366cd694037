from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from core.middleware import shows_secret

from . import services
from .forms import AcceptForm, InviteForm, TeamForm, WorkspaceForm
from .models import Invitation, Role
from .selectors import members_list, membership_get, teams_list, workspace_get


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


@login_required
@require_http_methods(["GET", "POST"])
@shows_secret
def members(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    membership = membership_get(user=request.user, workspace_id=workspace.pk)
    form = InviteForm(request.POST or None)
    invitation = None
    if request.method == "POST" and form.is_valid():
        result = services.member_invite(actor=request.user, workspace=workspace, **form.cleaned_data)
        if isinstance(result, Invitation):
            invitation = result
        else:
            return redirect("workspaces:members", slug=slug)
    context = {
        "workspace": workspace,
        "is_owner": membership.role == Role.OWNER,
        "members": members_list(workspace=workspace),
        "invitations": workspace.invitations.filter(accepted_at=None),
        "teams": teams_list(workspace_id=workspace.pk),
        "form": form,
        "team_form": TeamForm(),
        "invitation": invitation,
    }
    return TemplateResponse(request, "workspaces/members.html", context, status=422 if form.errors else 200)


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
        return TemplateResponse(request, "workspaces/members.html", {
            "workspace": workspace, "members": members_list(workspace=workspace), "form": InviteForm(),
            "teams": teams_list(workspace_id=workspace.pk), "team_form": form,
            "is_owner": membership_get(user=request.user, workspace_id=workspace.pk).role == Role.OWNER,
        }, status=422)
    return redirect("workspaces:members", slug=slug)


@require_http_methods(["GET", "POST"])
@shows_secret
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation, token=token, accepted_at=None)
    form = AcceptForm(request.POST or None) if not request.user.is_authenticated else None
    if request.method == "POST":
        if request.user.is_authenticated:
            services.invitation_accept(token=token, user=request.user)
            return redirect("maps:list")
        if form.is_valid():
            try:
                validate_password(form.cleaned_data["password"])
                with transaction.atomic():
                    user = get_user_model().objects.create_user(
                        username=form.cleaned_data["username"], email=invitation.email,
                        password=form.cleaned_data["password"],
                    )
                    services.invitation_accept(token=token, user=user)
            except ValidationError as error:
                form.add_error("password", error.messages)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("maps:list")
    return TemplateResponse(request, "workspaces/accept.html", {"invitation": invitation, "form": form},
                            status=422 if form is not None and form.errors else 200)
