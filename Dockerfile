# Livecue production image: `livecue serve` as a non-root user, data on a volume; `livecue demo` works too.
#   docker build -t livecue .
#   docker run -p 8000:8000 -v livecue-data:/data livecue                   # the server (create an admin: README)
#   docker run -p 8000:8000 -v livecue-demo:/data livecue livecue demo      # the demo, logins printed
# tests/test_container.py builds this same tree without Docker (pip install --target) and runs it as the image would.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LIVECUE_DATA_DIR=/data \
    LIVECUE_HOST=0.0.0.0 \
    LIVECUE_PORT=8000

RUN groupadd --system --gid 10001 livecue \
 && useradd --system --uid 10001 --gid livecue --home-dir /data --no-create-home --shell /usr/sbin/nologin livecue
WORKDIR /app

# Dependency layer: the pinned runtime dependencies only (constraints.txt, generated from the environment the test
# suite ran in), so a code change rebuilds the layers below and not this one.
COPY constraints.txt ./
RUN pip install --no-cache-dir -r constraints.txt

# The application: the package (installed without touching the pinned dependencies), the pages and the demo schedule.
COPY pyproject.toml README.md ./
COPY server ./server
COPY console_ui ./console_ui
COPY schedules ./schedules
RUN pip install --no-cache-dir --no-deps . \
 && pip check \
 && rm -rf build ./*.egg-info \
 && mkdir -p /data && chown livecue:livecue /data && chmod 0700 /data

USER livecue
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request; url = 'http://127.0.0.1:%s/healthz' % os.environ.get('LIVECUE_PORT', '8000'); sys.exit(0 if urllib.request.urlopen(url, timeout=4).status == 200 else 1)"]
CMD ["livecue", "serve"]
