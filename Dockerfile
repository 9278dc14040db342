# Multi-stage image: a Node stage builds the static assets, a slim Python stage runs gunicorn.
# Both stages run the same scripted steps as CI and `make run` (scripts/install.sh), so what CI
# proves about installing and building holds for the image too. CI here does not build this image
# (no Docker engine runs on our machines); see README.

FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/install.sh scripts/build-assets.mjs scripts/
COPY assets assets
COPY static static
RUN bash scripts/install.sh assets

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    APP_ENV=production \
    STATIC_MANIFEST=1 \
    PRIVATE_MEDIA_ROOT=/data/private-media \
    PATH=/app/.venv/bin:$PATH
RUN useradd --create-home --uid 10001 tracker && mkdir -p /data/private-media && chown tracker /data/private-media
WORKDIR /app
COPY . .
COPY --from=assets /app/static/vendor static/vendor
RUN PYTHON=python3 bash scripts/install.sh python \
    && SECRET_KEY=collectstatic-only-not-a-real-secret-0123456789abcdef0123 ALLOWED_HOSTS=build \
       bash scripts/production_check.sh static \
    && chown -R tracker /app/staticfiles
USER tracker
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
# Migrations are the release step, run once per deploy (not by each container):
#   docker run --rm -e DATABASE_URL=... IMAGE bash scripts/release.sh
CMD ["sh", "-c", "exec gunicorn config.wsgi --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-2} --threads 4 --timeout 60 --access-logfile -"]
