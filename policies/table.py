"""The README's tables, generated: the rules (from the pack's registry) and the conditions (from
the catalogue, policies/conditions.toml).

python -m policies.table               print the rules table
python -m policies.table --write README.md   replace both between their markers
python -m policies.table --check README.md   exit 1 when a table of the README is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policies.catalogue import catalogue
from policies.registry import RULES

START = "<!-- rules:start -->"
END = "<!-- rules:end -->"
CONDITIONS_START = "<!-- conditions:start -->"
CONDITIONS_END = "<!-- conditions:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    known = catalogue().by_id
    lines = ["| rule id | condition | § | triggered by | fix |", "|---|---|---|---|---|"]
    for rule in RULES:
        if rule.condition_id not in known:
            raise ValueError(f"rule {rule.rule_id}: condition {rule.condition_id} is not in {catalogue().path.name}")
        lines.append(
            f"| `{rule.rule_id}` | {rule.condition_id} | {_cell(rule.paragraph)} | {_cell(rule.trigger)} "
            f"| {_cell(rule.fix)} |"
        )
    return "\n".join(lines)


def conditions_markdown() -> str:
    """The catalogue: id, paragraphs, what it asks (our words), whether code can check it."""
    lines = ["| id | § | what the advice asks | checkable |", "|---|---|---|---|"]
    for c in catalogue().conditions:
        lines.append(f"| {c.id} | {_cell(c.paragraph)} | {_cell(c.statement)} | {c.checkable} |")
    return "\n".join(lines)


def _between(document: str, start: str, end: str, table: str) -> str:
    if start not in document or end not in document:
        raise ValueError(f"the document has no {start} ... {end} markers")
    head, rest = document.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{table}\n{end}{tail}"


def replace(document: str) -> str:
    document = _between(document, START, END, markdown())
    return _between(document, CONDITIONS_START, CONDITIONS_END, conditions_markdown())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policies.table")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", type=Path, metavar="README.md")
    group.add_argument("--check", type=Path, metavar="README.md")
    args = parser.parse_args(argv)
    if args.write:
        args.write.write_text(replace(args.write.read_text(encoding="utf-8")), encoding="utf-8")
    elif args.check:
        text = args.check.read_text(encoding="utf-8")
        if replace(text) != text:
            print(
                f"{args.check}: the VTC rules or conditions table is stale: "
                f"run python -m policies.table --write {args.check}",
                file=sys.stderr,
            )
            return 1
    else:
        print(markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
