"""The API documentation pages, Swagger UI at /docs and ReDoc at /redoc, from local files (console_ui/vendor/).

FastAPI's own pages load their scripts from a CDN and start them with an inline script, which the pages' strict
Content-Security-Policy forbids: they were blank offline. These shells load the vendored bundles and a small start
script, all from this server. Both libraries set inline styles, so these two pages (which show no user content)
allow inline styles, and ReDoc's search runs in a blob: worker; everything else stays as strict as elsewhere.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from server.auth.deps import PUBLIC

router = APIRouter(tags=["pages"], include_in_schema=False)

DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {"Content-Security-Policy": DOCS_CSP, "Cache-Control": "no-cache"}

SWAGGER = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Livecue API · Swagger UI</title>
  <link rel="icon" href="/ui/img/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/ui/vendor/swagger-ui/swagger-ui.css">
  <script src="/ui/vendor/swagger-ui/swagger-ui-bundle.js" defer></script>
  <script src="/ui/js/docs/swagger.js" defer></script>
</head>
<body>
  <main id="swagger-ui"></main>
</body>
</html>
"""

REDOC = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Livecue API · ReDoc</title>
  <link rel="icon" href="/ui/img/favicon.svg" type="image/svg+xml">
</head>
<body>
  <redoc spec-url="/openapi.json"></redoc>
  <script src="/ui/vendor/redoc/redoc.standalone.js"></script>
</body>
</html>
"""


@router.get("/docs", dependencies=[PUBLIC])
async def swagger_ui() -> HTMLResponse:
    """Swagger UI for the API, from local files."""
    return HTMLResponse(SWAGGER, headers=HEADERS)


@router.get("/redoc", dependencies=[PUBLIC])
async def redoc() -> HTMLResponse:
    """ReDoc for the API, from local files."""
    return HTMLResponse(REDOC, headers=HEADERS)
