"""`python -m server` is the same as the `livecue` command."""

from server.cli import main

raise SystemExit(main())
