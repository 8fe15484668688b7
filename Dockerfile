# syntax=docker/dockerfile:1
#
# Baton's image: `baton serve` on :8000 as a non-root user, against the Postgres named by DATABASE_URL
# (required: a container never starts the embedded development database). Migrations run at start, under
# an advisory lock, so replicas may start together.
#
#   docker build -t baton .
#   docker run --rm -p 8000:8000 -e DATABASE_URL=postgresql://user:pass@host:5432/baton baton
#   docker run --rm -e DATABASE_URL=... baton tenant create "Acme" --json     # any other `baton` command
#
# Both stages use the same base image, so the virtualenv's interpreter path (/usr/local/bin/python3.x)
# exists in the runtime stage too. It is pinned by digest, so a rebuild gets the same bytes until the pin
# is moved on purpose: this is the multi-platform index of python:3.11-slim-bookworm (Python 3.11.16,
# built 2026-08-25) as docker-library/repo-info records it. To move it, read the tag's current digest
# with `docker buildx imagetools inspect python:3.11-slim-bookworm` and replace it here.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:0bee7276f83efd4a1ee05bbbf4281d95ed28e079220a9457f25a93e3f1e3c31b

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src

# The pinned dependencies first, in a layer of their own: it is rebuilt only when the pins change.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt

# Then the project itself, as a regular (non-editable) install: the code, schema.graphql, the Alembic
# migrations, GraphiQL's files (server/graphiql/, served only if BATON_ENV=development) and the /ops
# page's assets end up in the venv's site-packages; nothing of /src is needed at run time.
COPY README.md ./
COPY server ./server
COPY schema ./schema
COPY resolvers ./resolvers
COPY domain ./domain
COPY migrations ./migrations
RUN pip install -c constraints.txt . \
    && pip check


FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BATON_ENV=production \
    BATON_PORT=8000 \
    BATON_DATA_DIR=/tmp/baton
RUN groupadd --system --gid 10001 baton \
    && useradd --system --uid 10001 --gid baton --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin baton
COPY --from=builder /opt/venv /opt/venv
# An empty directory the app user cannot write to (data, if any, goes to BATON_DATA_DIR under /tmp).
WORKDIR /app
# Numeric, so that an orchestrator's runAsNonRoot check can verify it.
USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; url = 'http://127.0.0.1:%s/healthz' % os.environ.get('BATON_PORT', '8000'); sys.exit(0 if urllib.request.urlopen(url, timeout=2).status == 200 else 1)"]

# DATABASE_URL is checked before anything starts; `exec` makes baton PID 1, so it gets SIGTERM directly.
ENTRYPOINT ["/bin/sh", "-c", ": \"${DATABASE_URL:?DATABASE_URL must be set: postgresql://user:password@host:5432/database (containers never start the embedded Postgres)}\"; exec baton \"$@\"", "baton"]
CMD ["serve", "--host", "0.0.0.0"]
