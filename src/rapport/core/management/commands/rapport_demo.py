"""``rapport demo``: migrate, load demo data (idempotent), serve with a worker."""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from rapport.demo.loader import DEMO_EMAIL, DEMO_PASSWORD, load_demo

from .rapport_serve import serve


class Command(BaseCommand):
    help = "Set up the embedded database with demo data and serve it with a worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=["small", "large"], default="small")
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-serve", action="store_true", help="only migrate and load")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        summary = load_demo(options["size"])
        state = "loaded" if summary.created else "already present"
        self.stdout.write(
            f"demo data {state}: workspace '{summary.workspace.name}' "
            f"({summary.members} members, {summary.teams} teams; "
            f"{summary.workspaces} workspaces in all)"
        )
        self.stdout.write(f"demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}")
        if not options["no_serve"]:
            serve(options["host"], options["port"], 8, True, self)
