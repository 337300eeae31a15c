# Livecue production image: `livecue serve` as a non-root user, data on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LIVECUE_DATA_DIR=/data \
    LIVECUE_HOST=0.0.0.0 \
    LIVECUE_PORT=8000

RUN groupadd --system livecue && useradd --system --gid livecue --home-dir /app livecue
WORKDIR /app
COPY pyproject.toml README.md ./
COPY server ./server
COPY console_ui ./console_ui
COPY schedules ./schedules
RUN pip install --no-cache-dir . && mkdir -p /data && chown livecue:livecue /data

USER livecue
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["livecue", "serve"]
