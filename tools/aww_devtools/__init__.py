"""Development and test tooling. Never imported by a service in production."""
