"""The procedure catalogue in SQLite, searched as the citizen types.

Each procedure is stored with an accent-folded search text (``motcua.text.fold``: NFD without
marks, đ→d, case-folded) next to its lower-case NFC name. A query matches when every folded word
of it occurs in the folded text; ranking puts a code match first, then names holding the query
with its exact accents, then names holding it folded (names starting with it, then words starting
with it, first), then other text (keywords, documents), and shorter names first ("khai sinh" → "Đăng ký khai sinh" on top).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from kiosk.procedures import DEFAULT_DIR, Procedure, load_procedures
from motcua.text import fold, nfc

SCHEMA = """
CREATE TABLE procedures (
    pos INTEGER PRIMARY KEY,
    code TEXT UNIQUE NOT NULL,
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    field_fold TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    text_lower TEXT NOT NULL,
    text_fold TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX procedures_field ON procedures(field, pos);
"""
MAX_QUERY_WORDS = 8


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
        self._by_code = {p.code: p for p in procedures}
        with self._db:
            self._db.executescript("DROP TABLE IF EXISTS procedures;" + SCHEMA)
            self._db.executemany(
                "INSERT INTO procedures VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (pos, p.code, p.name, p.field, fold(p.field), lower(p.name), fold(p.name),
                     lower(_search_text(p)), fold(_search_text(p)), p.model_dump_json())
                    for pos, p in enumerate(procedures)
                ],
            )

    @classmethod
    def from_folder(cls, folder: Path = DEFAULT_DIR, path: str | Path = ":memory:") -> "Catalogue":
        return cls(load_procedures(folder), path)

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Procedure | None:
        return self._by_code.get(code)

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
        words = folded.split()[:MAX_QUERY_WORDS]
        exact_words = exact.split()[:MAX_QUERY_WORDS]
        where = " AND ".join("instr(text_fold, ?) > 0" for _ in words)
        word_starts = " + ".join("(instr(' ' || name_fold, ' ' || ?) > 0)" for _ in words)
        accent_words = " + ".join("(instr(text_lower, ?) > 0)" for _ in exact_words)
        sql = f"""
            SELECT code, name, field,
                   (code = ?) * 100000
                 + (instr(code, ?) = 1) * 50000
                 + (instr(name_lower, ?) > 0) * 10000
                 + (instr(name_fold, ?) > 0) * 5000
                 + (instr(name_fold, ?) = 1) * 2000
                 + (instr(' ' || name_fold, ' ' || ?) > 0) * 1000
                 + (instr(' ' || text_fold, ' ' || ?) > 0) * 800
                 + ({word_starts}) * 100
                 + ({accent_words}) * 20
                 + (instr(field_fold, ?) > 0) * 10 AS score
            FROM procedures WHERE {where}
            ORDER BY score DESC, length(name), pos
            LIMIT ?
        """
        params: list[object] = [exact, exact, exact, folded, folded, folded, folded, *words, *exact_words,
                                folded, *words, limit]
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [Hit(code, name, field) for code, name, field, _score in rows]
