"""The gateway (DESIGN.md §1): authentication, CSRF, problem+json, the web UI; no database."""
