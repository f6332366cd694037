"""The “API tokens” page: a signed-in person creates and revokes their own tokens.

A normal session page (cookies and CSRF like every other page); it lives outside
/api/, where only bearer tokens are accepted.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .forms import ApiTokenForm

PAGE = "api/tokens.html"


def _page(request: HttpRequest, *, form: ApiTokenForm, new_secret: str = "", status: int = 200) -> HttpResponse:
    template = f"{PAGE}#tokens" if request.htmx else PAGE
    context = {"form": form, "tokens": selectors.api_tokens_list(user=request.user), "new_secret": new_secret}
    return TemplateResponse(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Answered in place, not redirected: the secret is shown this once and never stored.
        _token, secret = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        return _page(request, form=ApiTokenForm(), new_secret=secret, status=201)
    return _page(request, form=form, status=422 if form.is_bound else 200)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.api_token_revoke(user=request.user, token_id=token_id)
    if not request.htmx:
        return redirect("api_tokens:list")
    return _page(request, form=ApiTokenForm())
