"""The VTC condition catalogue (`policies/conditions.toml`), loaded and validated.

    from policies.catalogue import catalogue
    cat = catalogue()                     # the project's own file, read once
    cat.advice.title                      # "Advies VTC nr. 01/2018 van 31 januari 2018"
    cat.by_id["VTC-EXIT"].quotes          # ((paragraph, Dutch words of the advice), ...)

The pack's registry, the gate, the compliance report (tools/report/) and the README's tables
(policies/table.py) read this one file; nothing reads a catalogue outside the repository. A
malformed file stops with one line (`CatalogueError`) that names the file, the condition and the
field.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CATALOGUE_FILE = Path(__file__).resolve().parent / "conditions.toml"
CHECKABLE = ("yes", "yes (that the means exist)", "partly", "organisational")
CONCLUSION = "V"  # the advice's conclusion, "V. BESLUIT"
_ADVICE_FIELDS = ("title", "date", "author", "subject")
_CONDITION_FIELDS = ("id", "paragraphs", "statement", "checkable", "controls", "quotes")
_OPTIONAL_FIELDS = ("evidence",)


class CatalogueError(ValueError):
    """A problem with the catalogue file, said in one line."""


@dataclass(frozen=True, kw_only=True)
class Advice:
    title: str
    date: dt.date
    author: str
    subject: str


@dataclass(frozen=True, kw_only=True)
class Quote:
    paragraph: str  # "11", "V" (the conclusion) or "footnote 4"
    text: str  # the advice's own Dutch words

    @property
    def label(self) -> str:
        """How a reader finds it in the advice: §11, conclusion V, footnote 4."""
        if self.paragraph == CONCLUSION:
            return "conclusion V"
        if self.paragraph.startswith("footnote"):
            return self.paragraph
        return f"§{self.paragraph}"


@dataclass(frozen=True, kw_only=True)
class Condition:
    id: str
    paragraphs: tuple[str, ...]
    quotes: tuple[Quote, ...]  # one per paragraph, in the order of `paragraphs`
    statement: str  # in English, in our words
    checkable: str  # one of CHECKABLE
    controls: str  # what the landing zone builds or checks
    evidence: str = ""  # organisational conditions: what an auditor must ask for

    @property
    def organisational(self) -> bool:
        return self.checkable == "organisational"

    @property
    def paragraph(self) -> str:
        """The paragraphs as one short text: "11, 49", "11, 24–27", "46, footnote 4", "V (conclusion)"."""
        runs: list[list[str]] = []
        for p in self.paragraphs:
            if runs and p.isdigit() and runs[-1][-1].isdigit() and int(p) == int(runs[-1][-1]) + 1:
                runs[-1].append(p)
            else:
                runs.append([p])
        return ", ".join(
            "V (conclusion)" if run[0] == CONCLUSION else run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}"
            for run in runs
        )

    @property
    def citation(self) -> str:
        """The paragraphs as the advice is cited: "§11, §49", "conclusion V"."""
        return ", ".join(q.label for q in self.quotes)


@dataclass(frozen=True, kw_only=True)
class Catalogue:
    path: Path
    advice: Advice
    conditions: tuple[Condition, ...]

    @property
    def by_id(self) -> dict[str, Condition]:
        return {c.id: c for c in self.conditions}

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.conditions)


def _text(where: str, data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: field '{name}' must be a non-empty string, got {value!r}")
    return " ".join(value.split())


def _advice(path: Path, data: Any) -> Advice:
    where = f"catalogue error: {path}: [advice]"
    if not isinstance(data, dict):
        raise CatalogueError(f"{where} is missing: it names the advice (title, date, author, subject)")
    unknown = sorted(set(data) - set(_ADVICE_FIELDS))
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(_ADVICE_FIELDS)}")
    date = data.get("date")
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise CatalogueError(f"{where}: field 'date' must be a TOML date (e.g. 2018-01-31), got {date!r}")
    return Advice(
        title=_text(where, data, "title"),
        date=date,
        author=_text(where, data, "author"),
        subject=_text(where, data, "subject"),
    )


def _condition(path: Path, index: int, data: Any) -> Condition:
    if not isinstance(data, dict):
        raise CatalogueError(f"catalogue error: {path}: condition #{index + 1} is not a table")
    where = f"catalogue error: {path}: condition {data.get('id') or f'#{index + 1}'}"
    missing = [f for f in _CONDITION_FIELDS if f not in data]
    if missing:
        raise CatalogueError(f"{where}: missing field(s) {', '.join(missing)}")
    unknown = sorted(set(data) - set(_CONDITION_FIELDS) - set(_OPTIONAL_FIELDS))
    if unknown:
        allowed = ", ".join(_CONDITION_FIELDS + _OPTIONAL_FIELDS)
        raise CatalogueError(f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {allowed}")
    cid = _text(where, data, "id")
    if not cid.startswith("VTC-") or cid.upper() != cid or " " in cid:
        raise CatalogueError(f"{where}: field 'id': got {cid!r}; allowed: VTC- followed by upper-case words")
    paragraphs = data["paragraphs"]
    if not isinstance(paragraphs, list) or not paragraphs or not all(isinstance(p, str) and p for p in paragraphs):
        raise CatalogueError(f"{where}: field 'paragraphs' must be a non-empty list of strings, got {paragraphs!r}")
    if len(set(paragraphs)) != len(paragraphs):
        raise CatalogueError(f"{where}: field 'paragraphs' lists a paragraph twice: {paragraphs!r}")
    for p in paragraphs:
        if not (p.isdigit() or p == CONCLUSION or (p.startswith("footnote ") and p.split(" ", 1)[1].isdigit())):
            raise CatalogueError(
                f"{where}: paragraph {p!r}; allowed: a randnummer ('11'), '{CONCLUSION}' (the conclusion) "
                "or 'footnote N'"
            )
    quotes = data["quotes"]
    if not isinstance(quotes, dict):
        raise CatalogueError(f"{where}: field 'quotes' must be a table of paragraph = \"Dutch words\"")
    for p in paragraphs:
        if not isinstance(quotes.get(p), str) or not quotes[p].strip():
            raise CatalogueError(f'{where}: paragraph {p!r} has no quote (quotes."{p}": the advice\'s own words)')
    extra = sorted(set(quotes) - set(paragraphs))
    if extra:
        raise CatalogueError(f"{where}: quotes for paragraph(s) {', '.join(extra)} not listed in 'paragraphs'")
    checkable = _text(where, data, "checkable")
    if checkable not in CHECKABLE:
        raise CatalogueError(
            f"{where}: field 'checkable': got {checkable!r}; allowed: {', '.join(repr(c) for c in CHECKABLE)}"
        )
    evidence = _text(where, data, "evidence") if "evidence" in data else ""
    if checkable == "organisational" and not evidence:
        raise CatalogueError(f"{where}: an organisational condition needs 'evidence' (what an auditor asks for)")
    return Condition(
        id=cid,
        paragraphs=tuple(paragraphs),
        quotes=tuple(Quote(paragraph=p, text=" ".join(quotes[p].split())) for p in paragraphs),
        statement=_text(where, data, "statement"),
        checkable=checkable,
        controls=_text(where, data, "controls"),
        evidence=evidence,
    )


def load_catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    """Read and validate a catalogue file; any problem is a one-line CatalogueError."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(f"catalogue error: the VTC condition catalogue {path} is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"catalogue error: cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"catalogue error: {path} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"advice", "condition"})
    if unknown:
        raise CatalogueError(
            f"catalogue error: {path}: unknown table(s) {', '.join(unknown)}; allowed: advice, condition"
        )
    rows = data.get("condition")
    if not isinstance(rows, list) or not rows:
        raise CatalogueError(f"catalogue error: {path}: no [[condition]] entries")
    conditions = tuple(_condition(path, i, row) for i, row in enumerate(rows))
    seen: set[str] = set()
    for condition in conditions:
        if condition.id in seen:
            raise CatalogueError(f"catalogue error: {path}: condition {condition.id} is listed twice")
        seen.add(condition.id)
    return Catalogue(path=path, advice=_advice(path, data.get("advice")), conditions=conditions)


@cache
def catalogue() -> Catalogue:
    """The project's catalogue, `policies/conditions.toml`, read once."""
    return load_catalogue(CATALOGUE_FILE)
