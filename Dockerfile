# Production-like image: the ASGI web server and the worker share it.
FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=journeymap.settings.production
WORKDIR /app
# WeasyPrint (PDF reports) needs Pango and HarfBuzz, CairoSVG (PNG diagrams) Cairo; DejaVu draws the
# few characters the vendored Inter lacks (arrows).
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libcairo2 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/base.txt
COPY . .
RUN SECRET_KEY=build-only-collectstatic-key-build-only-collectstatic-key-000 \
    python manage.py collectstatic --noinput
RUN useradd --create-home journeymap
# Export files; a volume mounted here keeps this owner.
RUN mkdir -p /app/media && chown journeymap /app/media
USER journeymap
EXPOSE 8000
CMD ["uvicorn", "journeymap.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers", "--timeout-graceful-shutdown", "5"]
