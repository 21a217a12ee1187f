"""Reading a CSV someone exported from a spreadsheet or another CRM: which encoding
(UTF-8 with or without BOM, cp1250 for Central European, cp1251 for Cyrillic) and
which delimiter (comma, semicolon, tab)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

DELIMITERS = (",", ";", "\t")
MAX_FIELD = 10_000


@dataclass(frozen=True)
class Sniffed:
    encoding: str
    delimiter: str
    headers: list[str]


def detect_encoding(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    # Not UTF-8: a Windows code page. Cyrillic words are made of high bytes only,
    # while Polish or Czech text has a diacritic here and there among ASCII letters.
    letters = sum(1 for b in raw if (65 <= b <= 90) or (97 <= b <= 122) or b >= 0xC0)
    high = sum(1 for b in raw if b >= 0xC0)
    return "cp1251" if letters and high / letters > 0.4 else "cp1250"


def detect_delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:20] if line.strip()]
    best, best_score = ",", -1.0
    for delimiter in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=delimiter))) for line in lines]
        if not counts or max(counts) < 2:
            continue
        # The delimiter that splits most lines into the same number of columns.
        common = max(set(counts), key=counts.count)
        score = counts.count(common) / len(counts) * common
        if score > best_score:
            best, best_score = delimiter, score
    return best


def sniff(raw: bytes) -> Sniffed:
    encoding = detect_encoding(raw[:200_000])
    text = raw[:200_000].decode(encoding, errors="replace")
    delimiter = detect_delimiter(text)
    first = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    headers = [h.strip() or f"column {n + 1}" for n, h in enumerate(first)]
    return Sniffed(encoding=encoding, delimiter=delimiter, headers=headers)


def rows(raw: bytes, sniffed: Sniffed) -> Iterator[tuple[int, list[str] | str]]:
    """(line number, cells) per data row; a row the CSV reader cannot read at all is
    (line, reason) so the import reports it instead of stopping."""
    text = io.StringIO(raw.decode(sniffed.encoding, errors="replace"), newline="")
    reader = csv.reader(text, delimiter=sniffed.delimiter)
    line = 1
    try:
        next(reader)
    except (StopIteration, csv.Error):
        return
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, f"unreadable CSV: {exc}"
            continue
        if not any(c.strip() for c in cells):
            continue
        if any(len(c) > MAX_FIELD for c in cells):
            yield line, f"a cell is longer than {MAX_FIELD} characters"
            continue
        yield line, cells


# Header names people use, in the five workspace languages, for each field.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": (
        "name",
        "full name",
        "nazwa",
        "imię i nazwisko",
        "имя",
        "фио",
        "naam",
        "vollständiger name",
    ),
    "first_name": ("first name", "firstname", "given name", "imię", "imie", "voornaam", "vorname"),
    "last_name": (
        "last name",
        "lastname",
        "surname",
        "nazwisko",
        "фамилия",
        "achternaam",
        "nachname",
    ),
    "email": ("email", "e-mail", "mail", "adres e-mail", "почта", "эл. почта", "e-mailadres"),
    "phone": ("phone", "telephone", "mobile", "telefon", "tel", "телефон", "telefoon", "handy"),
    "city": ("city", "town", "miasto", "город", "stad", "plaats", "stadt", "ort"),
    "country": ("country", "kraj", "страна", "land"),
    "tags": ("tags", "tag", "labels", "tagi", "теги"),
    "locale": ("language", "locale", "język", "язык", "taal", "sprache"),
}


def suggest_mapping(headers: list[str]) -> dict[str, str]:
    """Column header -> field, for the headers we recognise."""
    mapping: dict[str, str] = {}
    for header in headers:
        key = header.strip().lower().replace("_", " ")
        for field_name, names in SYNONYMS.items():
            if key in names and field_name not in mapping.values():
                mapping[header] = field_name
                break
    return mapping
