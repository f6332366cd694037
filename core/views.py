"""View helpers every app shares: a page or the region an HTMX request swaps, the way on after a change,
and the page of a form that creates or edits one thing, version-checked."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django_htmx.http import HttpResponseClientRedirect

from .errors import Conflict
from .forms import add_service_errors, conflict_view

FORM_PAGE = "core/form.html"


def page_or_partial(request: HttpRequest, template: str, partial: str, context: dict,
                    status: int = 200) -> TemplateResponse:
    """The whole page, or for an HTMX request only the region (the template partial) it swaps."""
    return TemplateResponse(request, f"{template}#{partial}" if request.htmx else template, context, status=status)


def navigate(request: HttpRequest, url: str) -> HttpResponse:
    """After a change that opens another page: a redirect, or for HTMX the same as a full-page navigation
    (a redirect followed by htmx would put the whole next page inside the swapped region)."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def form_page(request: HttpRequest, *, form_class: type[forms.BaseForm], context: dict[str, Any],
              save: Callable[[dict], str], form_kwargs: dict[str, Any] | None = None,
              saved_by: Callable[[], str] | None = None) -> HttpResponse:
    """The page of a form that creates or edits one thing (`core/form.html`, its `form` region for HTMX).

    GET shows the form. A valid POST calls `save(cleaned_data)`, which calls one service and answers where to
    go next. A rule the service enforces is shown beside its field (422). An edit of a version that has changed
    since (the service raises Conflict) answers 409: theirs next to yours, and the form again on their version,
    so that saving again keeps yours; `saved_by()` names who saved in between (from the history the app keeps).
    `context` gives the page its `title`, `action`, `cancel` URL, `crumbs`
    ([(url, label)...]) and any `hidden` fields ({name: value}) the form itself does not have.
    """
    kwargs = form_kwargs or {}
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            url = save(form.cleaned_data)
        except Conflict as error:
            conflict = conflict_view(
                error=error, form=form, saved_by=saved_by() if saved_by and error.current is not None else "",
                rebase=lambda data, current=error.current: form_class(data, **(kwargs | {"instance": current})))
            return page_or_partial(request, FORM_PAGE, "form", context | {"form": conflict.form, "conflict": conflict},
                                   status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return navigate(request, url)
    return page_or_partial(request, FORM_PAGE, "form", context | {"form": form}, status=422 if form.is_bound else 200)


def list_and_add_page(request: HttpRequest, *, template: str, partial: str, context: Callable[[forms.BaseForm], dict],
                      form_class: type[forms.BaseForm], save: Callable[[dict], Any], url: str,
                      form_kwargs: dict[str, Any] | None = None) -> HttpResponse:
    """A page listing things with a form that adds one (a registry). GET shows both; a valid POST calls
    `save(cleaned_data)`, then a plain form goes back to the page at `url` and an HTMX one gets the region
    (`partial`) again with an empty form; a refused one answers 422 with the messages beside the fields.
    `context(form)` builds the page's context around the form."""
    kwargs = form_kwargs or {}
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if not form.is_valid():
            return page_or_partial(request, template, partial, context(form), status=422)
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return page_or_partial(request, template, partial, context(form), status=422)
        if not request.htmx:
            return redirect(url)
    return page_or_partial(request, template, partial, context(form_class(**kwargs)))
