"""Routes that answer without a session, on purpose (the route-rule tests check the app against this list).

Page shells and their static files hold no data; the sandbox's timeline, replies and media stand in for a
public social network.
"""

from __future__ import annotations

PUBLIC_PATHS: set[str] = {
    "/healthz",
    "/metrics",  # not public in fact: its own bearer token (LIVECUE_METRICS_TOKEN), 404 when none is set
    "/api/auth/login",
    "/",
    "/login",
    "/console",
    "/tablet",
    "/setup",
    "/docs",  # the API reference shells (Swagger UI, ReDoc) served from local files; they hold no data
    "/redoc",
    "/sandbox",
    "/ui/{path:path}",
    "/api/sandbox/feed",
    "/api/sandbox/replies",
    "/sandbox/media/{sha256}",
    "/api/public/events/{slug}/questions",
    "/live/{slug}",  # the public live page (server/livepage/): only what already went out on the platforms
    "/live/{slug}/posts.json",
    "/live/{slug}/events",
    "/live/{slug}/media/{sha256}",
    "/console/recap/{event}",  # not public in fact: checks the session itself and sends a visitor to /login
}
