"""The procedure catalogue in SQLite, searched as the citizen types.

Each procedure is stored with accent-folded search columns (``motcua.text.fold``: NFD without
marks, đ→d, case-folded) next to its lower-case NFC name. The keystroke search runs over
an in-memory word index built from those columns (``kiosk.search_index``): a full SQL scan costs
more than the 10 ms a keystroke may take once the catalogue holds thousands of procedures.
Exact-accent matches rank above folded ones; "khai sinh" puts "Đăng ký khai sinh" on top.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from kiosk.procedures import DEFAULT_DIR, Procedure, load_procedures
from kiosk.search_index import Row, SearchIndex
from motcua.text import fold, nfc

SCHEMA = """
CREATE TABLE procedures (
    pos INTEGER PRIMARY KEY,
    code TEXT UNIQUE NOT NULL,
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    text_fold TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX procedures_field ON procedures(field, pos);
"""


@dataclass(frozen=True)
class Hit:
    code: str
    name: str
    field: str


@dataclass(frozen=True)
class FieldCount:
    field: str
    count: int


def lower(text: str) -> str:
    """Lower case keeping the accents (Python's casefold knows Vietnamese; SQLite's lower() does not)."""
    return nfc(text).casefold()


def _search_text(proc: Procedure) -> str:
    parts = [proc.code, proc.name, proc.field, *proc.keywords, proc.result]
    parts += [doc.name for doc in proc.documents]
    return " | ".join(parts)


class Catalogue:
    """Procedures in an SQLite database (in memory unless ``path`` is given)."""

    def __init__(self, procedures: list[Procedure], path: str | Path = ":memory:") -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._lock = threading.Lock()
        self._count = len(procedures)
        with self._db:
            self._db.executescript("DROP TABLE IF EXISTS procedures;" + SCHEMA)
            self._db.executemany(
                "INSERT INTO procedures VALUES (?,?,?,?,?,?,?,?)",
                [
                    (pos, p.code, p.name, p.field, lower(p.name), fold(p.name),
                     fold(_search_text(p)), p.model_dump_json())
                    for pos, p in enumerate(procedures)
                ],
            )
            rows = self._db.execute(
                "SELECT code, name, field, name_lower, name_fold, text_fold FROM procedures ORDER BY pos"
            ).fetchall()
        self._index = SearchIndex([Row(*row) for row in rows])

    @classmethod
    def from_folder(cls, folder: Path = DEFAULT_DIR, path: str | Path = ":memory:") -> "Catalogue":
        return cls(load_procedures(folder), path)

    def __len__(self) -> int:
        return self._count

    def get(self, code: str) -> Procedure | None:
        with self._lock:
            row = self._db.execute("SELECT body FROM procedures WHERE code=?", (code,)).fetchone()
        return Procedure.model_validate_json(row[0]) if row else None

    def fields(self) -> list[FieldCount]:
        """Fields in catalogue order (the order of the first procedure of each)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT field, COUNT(*), MIN(pos) AS first FROM procedures GROUP BY field ORDER BY first"
            ).fetchall()
        return [FieldCount(field, count) for field, count, _ in rows]

    def in_field(self, field: str) -> list[Hit]:
        with self._lock:
            rows = self._db.execute(
                "SELECT code, name, field FROM procedures WHERE field=? ORDER BY pos", (field,)
            ).fetchall()
        return [Hit(*row) for row in rows]

    def search(self, query: str, limit: int = 30) -> list[Hit]:
        """Procedures matching ``query`` (accents optional), best first."""
        exact = " ".join(lower(query).split())
        folded = " ".join(fold(query).split())
        if not folded:
            return []
        rows = self._index.rows
        return [Hit(rows[i].code, rows[i].name, rows[i].field) for i in self._index.search(exact, folded, limit)]
