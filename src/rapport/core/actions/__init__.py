"""Every write in core goes through a function here: one transaction, an audit
row, domain events on commit. Views, API endpoints and tasks call these; they
never ``.save()`` on their own."""
