import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings.local")

from journeymap.request_limits import limit_request_body  # noqa: E402  (settings first)

application = limit_request_body(get_asgi_application())

from notifications.scheduler import start_in_process_scheduler  # noqa: E402

start_in_process_scheduler()
