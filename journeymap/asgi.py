import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings.local")
django.setup(set_prefix=False)

from journeymap.request_limits import limit_request_body  # noqa: E402  (needs the apps loaded)
from live.asgi import LiveASGIHandler  # noqa: E402
from notifications.scheduler import start_in_process_scheduler  # noqa: E402

application = limit_request_body(LiveASGIHandler())

start_in_process_scheduler()
