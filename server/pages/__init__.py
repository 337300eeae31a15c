"""The browser pages (login, operator console, clinician tablet, sandbox feed) and their static files."""
