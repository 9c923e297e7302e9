# syntax=docker/dockerfile:1.7
# KPI Công vụ — production image: web (gunicorn), rq workers, scheduler and migrations all run
# from this one image with different commands (see helm/kpi and deploy/systemd).
#
#   docker build -t kpi-congvu:$(git describe --always) .
#   docker run --rm -p 8000:8000 --env-file kpi.env --read-only --tmpfs /tmp kpi-congvu:…
#
# Stage 1 builds wheels (needs a compiler for any dependency without a manylinux wheel);
# stage 2 installs only those wheels plus the shared libraries they load at run time.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

########################################################################################
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# Build tools and headers: only in this stage, never in the final image. Node and npm build the
# front-end assets (package.json); the final image gets the built files, not node.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential pkg-config libffi-dev nodejs npm \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
RUN python -m pip install --upgrade pip wheel Babel

COPY . .

# Compile the Vietnamese/English catalogues (*.po -> *.mo) here, from the sources: any .mo in
# the build context is ignored (.dockerignore), so the image never ships a stale catalogue.
RUN pybabel compile -d tenant_app/translations \
 && test -n "$(find tenant_app/translations -name '*.mo' -print -quit)"

# Front-end assets from the pinned npm packages (package-lock.json): `npm run build` writes the
# icon sprite into tenant_app/static/vendor/ (assets/build.mjs); node_modules stays here.
RUN npm ci --no-audit --no-fund --omit=dev \
 && npm run build \
 && test -s tenant_app/static/vendor/icons.svg \
 && rm -rf node_modules

# Wheels for the project and every dependency (gunicorn is the production server; it is
# harmless if the project already depends on it).
RUN pip wheel --wheel-dir /wheels . gunicorn

########################################################################################
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="KPI Công vụ" \
      org.opencontainers.image.description="Multi-tenant KPI evaluation for a province" \
      org.opencontainers.image.licenses="Proprietary"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    KPI_ENV=production \
    KPI_LOG_FORMAT=json \
    KPI_LOCALE=vi \
    KPI_INSTANCE_DIR=/var/lib/kpi \
    KPI_UPLOAD_DIR=/var/lib/kpi/uploads \
    KPI_SESSION_COOKIE_SECURE=true \
    KPI_BIND=0.0.0.0:8000

# Runtime libraries only — no compiler (psycopg[binary] bundles its own libpq):
# - pango/harfbuzz/cairo + fontconfig: WeasyPrint renders the PDF reports.
# - fonts-dejavu-core, fonts-noto-core: glyphs for Vietnamese diacritics (ă â đ ê ô ơ ư + tones);
#   reports must never depend on a font from the internet.
# - tini: PID 1 that forwards SIGTERM to gunicorn / rq and reaps zombies.
# - postgresql-client: pg_dump, pg_restore and psql for `kpi backup` / `kpi restore` (Debian
#   bookworm's is 15: it must be at least the server's major version).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libpangocairo-1.0-0 libcairo2 \
      libharfbuzz0b libharfbuzz-subset0 libffi8 shared-mime-info \
      fontconfig fonts-dejavu-core fonts-noto-core \
      tini postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && fc-cache -f

# Non-root user with a fixed uid/gid (the chart's securityContext runs as 10001).
RUN groupadd --system --gid 10001 kpi \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin kpi \
 && mkdir -p /var/lib/kpi/uploads \
 && chown -R 10001:10001 /var/lib/kpi

# Install from the builder's wheels without copying them into a layer.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    python -m venv /opt/venv \
 && pip install --no-index --find-links=/wheels /wheels/*.whl

# The source tree too (owned by root, read-only for the app): wsgi.py, migrations/ and
# alembic.ini live outside the package, and PYTHONPATH=/app makes gunicorn and `kpi` import the
# very same code with the compiled translations.
WORKDIR /app
COPY --from=builder --chown=root:root /src /app
# Fail the build, not the rollout, if the package does not import, the catalogues were not
# compiled or an entry point is missing. (wsgi is not imported: create_app() needs the secrets.)
RUN python -m compileall -q /app \
 && python -c "import tenant_app, scoring" \
 && test -n "$(find /app/tenant_app/translations -name '*.mo' -print -quit)" \
 && command -v gunicorn kpi

USER 10001:10001
VOLUME ["/var/lib/kpi"]
EXPOSE 8000

# Liveness of the web process only (no database): /healthz. Workers and the scheduler run the
# same image with another command; disable the check for them (`--no-healthcheck`, or
# `healthcheck: disable: true` in compose). Kubernetes ignores HEALTHCHECK and uses the probes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('KPI_BIND', ':8000').rsplit(':', 1)[1] + '/healthz', timeout=4)" || exit 1

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]
