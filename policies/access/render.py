"""The matrix as JSON, Markdown and self-contained HTML (for the compliance report)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from policies.access.engine import ALLOWED, DENIED

if TYPE_CHECKING:
    from policies.access.matrix import Cell, Matrix

SYMBOL = {ALLOWED: "ALLOWED", DENIED: "denied"}


def _verdict(cell: Cell) -> str:
    text = SYMBOL.get(cell.verdict, cell.verdict)
    return f"{text} (by design)" if cell.by_design else text


def _titles(matrix: Matrix) -> dict[str, str]:
    return {p.id: p.title for p in matrix.parties}


def matrix_json(matrix: Matrix) -> dict:
    from policies.access.matrix import overclaims

    return {
        "environment": matrix.environment,
        "parties": [
            {"id": p.id, "title": p.title, "roles": list(p.roles), "starts": list(p.starts)} for p in matrix.parties
        ],
        "outcomes": [
            {
                "id": o.id,
                "title": o.title,
                "conditions": list(o.conditions),
                "checks": [{"action": c.action, "resource": c.resource or "(own role)"} for c in o.checks],
            }
            for o in matrix.outcomes
        ],
        "cells": [c.to_dict() for c in matrix.cells.values()],
        "overclaims": {k: [f"{c.party}:{c.outcome}" for c in v] for k, v in overclaims(matrix).items()},
        "notes": list(matrix.notes),
    }


def _details(matrix: Matrix) -> list[tuple[Cell, str, list[str]]]:
    titles = _titles(matrix)
    rows = []
    for outcome in matrix.outcomes:
        for party in matrix.parties:
            cell = matrix.cell(party.id, outcome.id)
            if cell.verdict not in (ALLOWED, DENIED):
                continue
            rows.append((cell, cell.path_text(titles[party.id]), [o.label() for o in cell.statements]))
    return rows


def matrix_markdown(matrix: Matrix) -> str:
    from policies.access.matrix import overclaims

    lines = [f"## Who can do what — {matrix.environment}", ""]
    lines.append("| party | " + " | ".join(o.title for o in matrix.outcomes) + " |")
    lines.append("|---|" + "---|" * len(matrix.outcomes))
    for party in matrix.parties:
        cells = [_verdict(matrix.cell(party.id, o.id)) for o in matrix.outcomes]
        lines.append(f"| {party.title} | " + " | ".join(cells) + " |")
    lines += ["", "### Deciding statements and paths", ""]
    for cell, path, statements in _details(matrix):
        lines.append(f"- **{cell.party} / {cell.outcome}: {_verdict(cell)}** — `{cell.action}` on `{cell.resource}`")
        lines.append(f"  - path: {path}")
        if cell.by_design:
            lines.append(f"  - by design: {cell.by_design}")
        lines += [f"  - {s}" for s in statements]
    broken = overclaims(matrix)
    lines += ["", "### Conditions a forbidden outcome breaks", ""]
    if not broken:
        lines.append("None: no party reaches a forbidden outcome outside its design.")
    for condition, broken_cells in broken.items():
        lines.append(f"- {condition}: " + ", ".join(f"{c.party} may {c.outcome}" for c in broken_cells))
    lines += ["", "### Notes", ""] + [f"- {n}" for n in matrix.notes]
    return "\n".join(lines) + "\n"


def matrix_html(matrix: Matrix) -> str:
    from policies.access.matrix import overclaims

    e = html.escape
    head = "".join(f"<th>{e(o.title)}</th>" for o in matrix.outcomes)
    rows = []
    for party in matrix.parties:
        cells = []
        for outcome in matrix.outcomes:
            cell = matrix.cell(party.id, outcome.id)
            css = {"allowed": "allowed", "denied": "denied"}.get(cell.verdict, "none")
            cells.append(f'<td class="{css}">{e(_verdict(cell))}</td>')
        rows.append(f"<tr><th>{e(party.title)}</th>{''.join(cells)}</tr>")
    details = []
    for cell, path, statements in _details(matrix):
        items = "".join(f"<li><code>{e(s)}</code></li>" for s in statements)
        design = f"<li>by design: {e(cell.by_design)}</li>" if cell.by_design else ""
        details.append(
            f"<li><strong>{e(cell.party)} / {e(cell.outcome)}: {e(_verdict(cell))}</strong> — "
            f"<code>{e(cell.action)}</code> on <code>{e(cell.resource)}</code>"
            f"<ul><li>path: {e(path)}</li>{design}{items}</ul></li>"
        )
    broken = "".join(
        f"<li>{e(k)}: {e(', '.join(f'{c.party} may {c.outcome}' for c in v))}</li>"
        for k, v in overclaims(matrix).items()
    )
    notes = "".join(f"<li>{e(n)}</li>" for n in matrix.notes)
    return (
        f'<section class="who-can"><h2>Who can do what — {e(matrix.environment)}</h2>'
        "<style>.who-can td.allowed{background:#f8d7da}.who-can td.denied{background:#d4edda}"
        ".who-can table{border-collapse:collapse}.who-can td,.who-can th{border:1px solid #999;padding:2px 4px}</style>"
        f"<table><tr><th>party</th>{head}</tr>{''.join(rows)}</table>"
        f"<h3>Deciding statements and paths</h3><ul>{''.join(details)}</ul>"
        f"<h3>Conditions a forbidden outcome breaks</h3><ul>{broken or '<li>none</li>'}</ul>"
        f"<h3>Notes</h3><ul>{notes}</ul></section>"
    )


__all__ = ["matrix_html", "matrix_json", "matrix_markdown"]
