from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services
from .emails import unsubscribe_read
from .forms import EmailSettingsForm
from .selectors import email_settings_get


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request: HttpRequest) -> HttpResponse:
    form = EmailSettingsForm(request.POST or None, instance=email_settings_get(user=request.user))
    if request.method == "POST" and form.is_valid():
        services.email_settings_update(user=request.user, **form.cleaned_data)
        if request.htmx:
            return TemplateResponse(request, "notifications/settings.html#settings-form",
                                    {"form": form, "saved": True})
        messages.success(request, "Your email choices are saved.")
        return redirect("notifications:settings")
    return TemplateResponse(request, "notifications/settings.html", {"form": form})


# The link in an email, and RFC 8058 one-click unsubscribe (a mail client's POST, without a CSRF token):
# the signed token is what grants it, and it can only turn an email off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = unsubscribe_read(token)
    user = get_user_model().objects.filter(pk=found[0]).first() if found else None
    if user is None:
        return TemplateResponse(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    kind = found[1]
    if request.method == "POST":
        services.email_settings_update(user=user, **{kind: False})
    return TemplateResponse(request, "notifications/unsubscribe.html",
                            {"kind": kind, "done": request.method == "POST", "token": token})
