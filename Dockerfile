# Image for the web, worker and beat services in docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=workoff.settings.production \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    WORKOFF_PRIVATE_MEDIA_ROOT=/data/private_media

RUN useradd --create-home --uid 1000 --user-group app

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that a code change does not
# reinstall them. The stub packages let setuptools resolve the package list.
COPY pyproject.toml README.md ./
RUN mkdir workoff plans reporting escalation \
    && touch workoff/__init__.py plans/__init__.py reporting/__init__.py escalation/__init__.py \
    && pip install . \
    && pip uninstall --yes workoff \
    && rm -rf workoff plans reporting escalation build *.egg-info

COPY . .
# Editable, so that settings find templates/ and static/ beside the code in /app.
RUN pip install --no-deps -e . \
    && mkdir -p /app/staticfiles /data/private_media \
    && chown -R app:app /app/staticfiles /data/private_media

USER app

EXPOSE 8000
CMD ["gunicorn", "workoff.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
