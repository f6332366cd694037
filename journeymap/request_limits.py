"""Request bodies larger than REQUEST_MAX_BODY_BYTES are refused before they are read.

Django's ASGI handler reads a whole body into a spooled file before any view or middleware runs, so a
50 MB post to the sign-in page would be received in full and only then refused. This wraps the ASGI
application: a declared Content-Length over the limit gets 413 at once; a chunked body is counted as
it arrives and cut off at the limit. The proxy in front should carry the same limit (nginx:
client_max_body_size)."""

from django.conf import settings

MESSAGE = b"Request body too large."


async def _refuse(send) -> None:
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close"),
                            (b"content-length", str(len(MESSAGE)).encode())]})
    await send({"type": "http.response.body", "body": MESSAGE})


class BodyTooLarge(Exception):
    pass


def limit_request_body(application):
    async def limited(scope, receive, send):
        if scope["type"] != "http":
            return await application(scope, receive, send)
        limit = settings.REQUEST_MAX_BODY_BYTES
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_large = int(value) > limit
                except ValueError:
                    too_large = True
                if too_large:
                    return await _refuse(send)
        received = 0

        async def counted_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        try:
            return await application(scope, counted_receive, send)
        except BodyTooLarge:
            return await _refuse(send)

    return limited
