"""The ``rapport`` command.

rapport serve      serve the web app and the tracking API (uvicorn; PORT / --port)
rapport worker     run a background worker (as many as you like, anywhere)
rapport pipeline   process accepted tracking events (one or more)
rapport demo       migrate, load demo data, serve with a worker in-process
rapport migrate    apply database migrations
rapport check      Django's system checks (add --deploy under production settings)
rapport <other>    any Django management command
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings.embedded")
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return
    from django.core.management import execute_from_command_line

    # Our own verbs are management commands named rapport_<verb>, so they get
    # Django's argument parsing, settings and connection handling for free.
    verbs = {
        "serve": "rapport_serve",
        "worker": "rapport_worker",
        "demo": "rapport_demo",
        "pipeline": "rapport_pipeline",
    }
    command = verbs.get(args[0], args[0])
    execute_from_command_line(["rapport", command, *args[1:]])


if __name__ == "__main__":
    main()
