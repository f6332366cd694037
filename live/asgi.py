"""The ASGI entry point: Django's, except that event streams get no thread of their own.

Django runs each request in a `ThreadSensitiveContext`, so the first synchronous step of a request
(a middleware, a session read) starts a thread that lives as long as the request does: for an event
stream, hours, one thread per open board. Streams are served outside that context instead: their few
synchronous steps (the access check, presence) take turns on one shared thread, and the stream itself
waits on the event loop.
"""

from asgiref.sync import ThreadSensitiveContext
from django.core.handlers.asgi import ASGIHandler

STREAM_PATH_ENDINGS = ("/events/",)


class LiveASGIHandler(ASGIHandler):
    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].endswith(STREAM_PATH_ENDINGS):
            await self.handle(scope, receive, send)
            return
        async with ThreadSensitiveContext():
            await self.handle(scope, receive, send)
