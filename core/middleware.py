import functools

from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
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


def shows_secret(view):
    """Marks a page that shows a secret (a share or invitation link) next to what people typed:
    it is never compressed, so its size cannot leak the secret (BREACH)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.shows_secret = True
        return response

    return wrapped


class CompressionMiddleware(GZipMiddleware):
    """Gzips HTML pages and fragments, which shrinks a large board about tenfold (the JSON API and
    downloads pass untouched).

    BREACH needs a secret repeated in responses an attacker can make the victim fetch, next to text the
    attacker controls. Only answers to GET are compressed (the one-time API token is shown after a POST);
    the CSRF token in forms is masked afresh on every response, so it never repeats; the session is in a
    cookie, not the body; pages that list share or invitation links are marked `shows_secret`. Streams
    (events, downloads) pass untouched: an event must leave at once, not sit in a compressor.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if (request.method not in ("GET", "HEAD") or response.streaming or getattr(response, "shows_secret", False)
                or not response.get("Content-Type", "").startswith("text/html")):
            return response
        return super().process_response(request, response)
