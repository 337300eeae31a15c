"""Process-level tests: real Livecue server processes, killed and restarted, checked on the sandbox and the DB."""
