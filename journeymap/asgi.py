import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings.local")
django.setup(set_prefix=False)

from live.asgi import LiveASGIHandler  # noqa: E402  (needs the apps loaded)

application = LiveASGIHandler()
