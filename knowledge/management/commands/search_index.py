from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from knowledge.search.store import index_ensure, index_rebuild, index_root


class Command(BaseCommand):
    help = (
        "The search index of this app server (SEARCH_INDEX_DIR). `rebuild` builds a new "
        "complete index from the database and switches every worker to it; `ensure` builds "
        "one only if there is none (run it at start-up, after `migrate`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "ensure"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        report = index_rebuild() if action == "rebuild" else index_ensure()
        if report is None:
            self.stdout.write(f"search index: already complete in {index_root()}")
            return
        self.stdout.write(
            f"search index: {report.documents} articles in {report.seconds:.1f} s "
            f"({index_root() / report.generation})"
        )
