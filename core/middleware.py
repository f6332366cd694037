from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from .errors import ApplicationError


class ApplicationErrorMiddleware:
    """Turns an `ApplicationError` escaping a view into a message page or fragment."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        template = "core/error.html#message" if getattr(request, "htmx", False) else "core/error.html"
        response = TemplateResponse(
            request, template, {"error": exception}, status=exception.status_code
        )
        return response.render()
