from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from .errors import ApplicationError, Unavailable

DATABASE_LOST = Unavailable(
    "The database did not answer, so this request could not finish. Nothing was saved: try again in a moment."
)


class ApplicationErrorMiddleware:
    """Turns an `ApplicationError` escaping a view into a message page or fragment."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        context = {"error": exception}
        if isinstance(exception, (OperationalError, InterfaceError)):
            # A lost connection rolled the transaction back; the page must not query again (for the user).
            context = {"error": DATABASE_LOST, "user": getattr(request, "_cached_user", AnonymousUser())}
        elif not isinstance(exception, ApplicationError):
            return None
        template = "core/error.html#message" if getattr(request, "htmx", False) else "core/error.html"
        response = TemplateResponse(
            request, template, context, status=context["error"].status_code
        )
        if context["error"].status_code == 503:
            response["Retry-After"] = "5"
        return response.render()
