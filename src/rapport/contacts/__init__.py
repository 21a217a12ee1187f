"""Customer 360: contacts, their identities, resolution (merge / unmerge), lifecycle
and the timeline every app writes into."""
