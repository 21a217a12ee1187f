"""Background work: a database backend for the django-tasks API with the parts the
stock backend lacks: attempts with backoff, leases with heartbeats, a scheduler
whose slots fire once across workers, and a visible failed state."""
