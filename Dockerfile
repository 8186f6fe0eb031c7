# One image for web, worker and scheduler; docker-compose.yml chooses the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    VAR_DIR=/var/lib/arsrunda MEDIA_ROOT=/var/lib/arsrunda/media STATIC_ROOT=/app/static
WORKDIR /app

COPY pyproject.toml README.md ./
COPY backend backend
COPY surveys surveys
COPY workers workers
COPY exports exports
COPY manage.py ./
RUN pip install . \
    && DEBUG=false SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home-dir /var/lib/arsrunda arsrunda \
    && mkdir -p /var/lib/arsrunda/media && chown -R arsrunda /var/lib/arsrunda

USER arsrunda
EXPOSE 8000
CMD ["gunicorn", "backend.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--logger-class", "backend.logging.GunicornLogger"]
