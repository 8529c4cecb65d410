"""The rules table of the README, generated from the pack's registry.

python -m policies.table               print the table
python -m policies.table --write README.md   replace it between the rules markers
python -m policies.table --check README.md   exit 1 when the README's table is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policies.registry import RULES

START = "<!-- rules:start -->"
END = "<!-- rules:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    lines = ["| rule id | condition | § | triggered by | fix |", "|---|---|---|---|---|"]
    for rule in RULES:
        lines.append(
            f"| `{rule.rule_id}` | {rule.condition_id} | {_cell(rule.paragraph)} | {_cell(rule.trigger)} "
            f"| {_cell(rule.fix)} |"
        )
    return "\n".join(lines)


def replace(document: str) -> str:
    if START not in document or END not in document:
        raise ValueError(f"the document has no {START} ... {END} markers")
    head, rest = document.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{markdown()}\n{END}{tail}"


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
                f"{args.check}: the VTC rules table is stale: run python -m policies.table --write {args.check}",
                file=sys.stderr,
            )
            return 1
    else:
        print(markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
