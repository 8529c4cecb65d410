"""The architecture picture of one environment, drawn as SVG from the report's facts (which come
from the synthesized templates): accounts and regions, VPC tiers, the database, vaults and where
backups are copied to, keys and who may use them, and where the logs go.

Plain SVG written by Python: no graphviz, no cairo, nothing to install.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

COLUMN_WIDTH = 370
GAP = 120
MARGIN = 20
FONTS = "DejaVu Sans, Arial, Helvetica, sans-serif"
LINE = 15
TITLE = 40
KEY_COLOURS = {"data": "#1f77b4", "backup": "#9467bd", "secondary_backup": "#8c564b", "log": "#2ca02c"}
FLOW_COLOURS = {"copy": "#d62728", "log": "#2ca02c", "net": "#555555"}
COLOURS = {**{f"key-{k}": c for k, c in KEY_COLOURS.items()}, **FLOW_COLOURS}
ROLES = (
    ("key_custody", "Key custody — Facilitair Bedrijf"),
    ("workload", "Workload — LED (AHOVOKS), run by the operator"),
    ("backup", "Backup — AHOVOKS (a backup elsewhere, §37)"),
    ("log_archive", "Log archive — AHOVOKS (§27)"),
)


@dataclass
class Node:
    id: str
    title: str
    lines: list[str]
    kind: str
    x: float = 0
    y: float = 0
    w: float = COLUMN_WIDTH - 30
    h: float = 0


@dataclass
class Box:
    account: str
    region: str
    title: str
    nodes: list[Node] = field(default_factory=list)
    x: float = 0
    y: float = 0
    w: float = COLUMN_WIDTH
    h: float = 0


def _short(text: str, limit: int = 46) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _principal_accounts(principals: list[str]) -> list[str]:
    out = []
    for p in principals:
        parts = p.split(":")
        out.append(parts[4] if len(parts) > 4 and parts[4] else p.removeprefix("service "))
    return out


def _services(conditions: str) -> str:
    for part in conditions.split("; "):
        if part.startswith("kms:ViaService"):
            return ", ".join(s.split(".")[0] for s in part.split(" ", 2)[2].split(", "))
    return ""


def layout(report: dict[str, Any]) -> tuple[list[Box], list[tuple[str, str, str, str]]]:
    """Boxes (account × region) holding nodes, and edges (from, to, label, kind)."""
    cfg = report.get("environment_config") or {}
    accounts = cfg.get("accounts", {})
    role_of = {}
    for role, title in ROLES:
        if role in accounts:
            role_of.setdefault(accounts[role], title)
    boxes: dict[tuple[str, str], Box] = {}

    def box(account: str, region: str) -> Box:
        if (account, region) not in boxes:
            title = role_of.get(account, "Account")
            boxes[(account, region)] = Box(account=account, region=region, title=title)
        return boxes[(account, region)]

    edges: list[tuple[str, str, str, str]] = []
    key_nodes: dict[str, str] = {}
    for i, key in enumerate(report["keys"]):
        uses = []
        for use in key["users"]:
            who = ", ".join(_principal_accounts(use["principals"]))
            via = _services(use["conditions"])
            uses.append(_short(f"use: {who}" + (f" via {via}" if via else ""), 58))
        node = Node(
            id=f"key{i}",
            title=f"KMS key {key['alias'] or key['logical_id']}",
            kind="key",
            lines=[
                key["rotation"],
                "admin: FB roles only" if key["administrators"] else "admin: ?",
                *dict.fromkeys(uses),
            ],
        )
        box(key["custody_account"], key["region"]).nodes.append(node)
        if key.get("purpose"):
            key_nodes[key["purpose"]] = node.id

    def key_edge(target: str, key_text: str) -> None:
        purpose = key_text.split(" key (")[0] if " key (" in key_text else ""
        if purpose in key_nodes:
            edges.append((key_nodes[purpose], target, f"{purpose.replace('_', ' ')} key", f"key-{purpose}"))

    for i, vpc in enumerate(report["network"]["vpcs"]):
        tiers = [
            f"{tier}: {', '.join(s['cidr'] for s in subnets)} ({subnets[0]['type'].lower()})"
            for tier, subnets in vpc["tiers"].items()
        ]
        node = Node(
            id=f"vpc{i}",
            title=f"VPC {vpc['cidr']}",
            kind="vpc",
            lines=[
                *[_short(t, 58) for t in tiers],
                _short(f"endpoints: {', '.join(vpc['endpoints'])}", 58),
                "internet gateway: "
                + ("yes" if vpc["internet_gateway"] else "none")
                + ", NAT: "
                + ("yes" if vpc["nat_gateway"] else "none"),
            ],
        )
        box(vpc["account"], vpc["region"]).nodes.append(node)
    vpc_id = "vpc0" if report["network"]["vpcs"] else ""

    for i, db in enumerate(report["databases"]):
        node = Node(
            id=f"db{i}",
            title=f"Database {db['identifier']}",
            kind="database",
            lines=[
                f"{db['engine']}, {db['instance_class']}",
                f"multi-AZ: {'yes' if db['multi_az'] else 'no'}, "
                f"public: {'yes' if db['publicly_accessible'] else 'no'}",
                f"data tier, {db['classification']}",
            ],
        )
        box(db["account"], db["region"]).nodes.append(node)
        key_edge(node.id, db["key"])
        if vpc_id:
            edges.append((vpc_id, node.id, "data tier", "net"))

    log_groups = [s for s in report["log_stores"] if s["kind"].startswith("CloudWatch")]
    by_place: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for store in log_groups:
        by_place.setdefault((store["account"], store["region"]), []).append(store)
    for i, ((account, region), stores) in enumerate(by_place.items()):
        node = Node(
            id=f"logs{i}",
            title=f"Log groups ({len(stores)})",
            kind="logs",
            lines=[_short(s["name"], 58) for s in stores] + [f"kept {stores[0]['retention_days']} days"],
        )
        box(account, region).nodes.append(node)
        key_edge(node.id, stores[0]["key"])
        if vpc_id:
            edges.append((vpc_id, node.id, "flow logs", "log"))
        for j, _db in enumerate(report["databases"]):
            edges.append((f"db{j}", node.id, "pgaudit, connections", "log"))
    for i, store in enumerate(s for s in report["log_stores"] if not s["kind"].startswith("CloudWatch")):
        node = Node(id=f"archive{i}", title=store["kind"], kind="logs", lines=[_short(store["name"], 58)])
        box(store["account"], store["region"]).nodes.append(node)

    vault_nodes: dict[str, str] = {}
    for i, vault in enumerate(report["vaults"]):
        lock = vault["lock"]
        node = Node(
            id=f"vault{i}",
            title=f"Vault {vault['name']}",
            kind="vault",
            lines=[
                f"lock {lock['min_retention_days']}–{lock['max_retention_days']} days, {lock['mode']}"[:52],
                vault["classification"],
            ],
        )
        box(vault["account"], vault["region"]).nodes.append(node)
        vault_nodes[f"{vault['account']}/{vault['region']}/{vault['name']}"] = node.id
        key_edge(node.id, vault["key"])
    for plan in report["backup_plans"]:
        for rule in plan["rules"]:
            target = vault_nodes.get(f"{plan['account']}/{plan['region']}/{rule['target_vault']}")
            if target:
                for j, _db in enumerate(report["databases"]):
                    edges.append((f"db{j}", target, f"daily, {rule['retention_days']} days", "copy"))
            for copy in rule["copies"]:
                name = copy["destination"].rsplit(":", 1)[-1]
                dest = vault_nodes.get(f"{copy['account']}/{copy['region']}/{name}")
                if target and dest:
                    edges.append((target, dest, f"copy, {copy['retention_days']} days", "copy"))
    for account, title in ((a, t) for r, t in ROLES for k, a in accounts.items() if k == r):
        if not any(b.account == account for b in boxes.values()):
            empty = box(account, cfg.get("region", ""))
            empty.title = title
            empty.nodes.append(
                Node(
                    id=f"empty{account}",
                    title="no stack in this synthesis",
                    kind="empty",
                    lines=["(its stack is not part of this app yet)"],
                )
            )
    order = {account: i for i, (role, _t) in enumerate(ROLES) for k, account in accounts.items() if k == role}
    ordered = sorted(boxes.values(), key=lambda b: (order.get(b.account, 99), b.region != cfg.get("region"), b.region))
    return ordered, edges


def _place(boxes: list[Box]) -> tuple[float, float]:
    columns: dict[str, int] = {}
    for b in boxes:
        columns.setdefault(b.account, len(columns))
    heights = [MARGIN + 30.0] * len(columns)
    for b in boxes:
        col = columns[b.account]
        b.x = MARGIN + col * (COLUMN_WIDTH + GAP)
        b.y = heights[col]
        y = b.y + TITLE
        for n in b.nodes:
            n.x, n.y = b.x + 15, y
            n.h = 24 + LINE * len(n.lines)
            y += n.h + 28
        b.h = y - b.y
        heights[col] = b.y + b.h + 20
    return MARGIN * 2 + len(columns) * (COLUMN_WIDTH + GAP) - GAP, max(heights) + 90


_FILL = {
    "key": "#fff7e0",
    "vpc": "#eef6ff",
    "database": "#e8f0ff",
    "logs": "#eaf7ea",
    "vault": "#f3ecfa",
    "empty": "#f5f5f5",
}


def render(report: dict[str, Any]) -> str:
    boxes, edges = layout(report)
    width, height = _place(boxes)
    nodes = {n.id: n for b in boxes for n in b.nodes}
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONTS}" font-size="11">',
        f"<title>LED {escape(report['environment'])}: architecture generated from the synthesized templates</title>",
        "<defs>"
        + "".join(
            f'<marker id="arrow-{k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>'
            for k, c in COLOURS.items()
        )
        + "</defs>",
        f'<text x="{MARGIN}" y="{MARGIN + 8}" font-size="15" font-weight="bold">LED {escape(report["environment"])}'
        " — accounts, network, data, backups, keys and logs (generated by tools.report)</text>",
    ]
    for b in boxes:
        out.append(f'<g class="account" data-account="{b.account}" data-region="{escape(b.region)}">')
        out.append(f'<rect x="{b.x}" y="{b.y}" width="{b.w}" height="{b.h}" rx="8" fill="#fafafa" stroke="#888"/>')
        out.append(f'<text x="{b.x + 10}" y="{b.y + 17}" font-weight="bold">{escape(b.title)}</text>')
        out.append(f'<text x="{b.x + 10}" y="{b.y + 31}" fill="#555">account {b.account}, {escape(b.region)}</text>')
        for n in b.nodes:
            out.append(f'<g class="node {n.kind}" id="{n.id}">')
            out.append(
                f'<rect x="{n.x}" y="{n.y}" width="{n.w}" height="{n.h}" rx="5" '
                f'fill="{_FILL.get(n.kind, "#fff")}" stroke="#666"/>'
            )
            out.append(f'<text x="{n.x + 8}" y="{n.y + 16}" font-weight="bold">{escape(n.title)}</text>')
            for i, line in enumerate(n.lines):
                out.append(f'<text x="{n.x + 8}" y="{n.y + 31 + i * LINE}">{escape(line)}</text>')
            out.append("</g>")
        out.append("</g>")
    labelled: set[str] = set()
    for source, target, label, kind in edges:
        a, b = nodes.get(source), nodes.get(target)
        if a is None or b is None:
            continue
        colour = COLOURS.get(kind, "#555555")
        dash = ' stroke-dasharray="5,3"' if kind.startswith("key-") else ""
        if abs(a.x - b.x) < 1:  # same column: loop out to the right
            x1, y1, x2, y2 = a.x + a.w, a.y + a.h / 2, b.x + b.w, b.y + b.h / 2
            c1, c2 = x1 + 45, x2 + 45
        else:
            forward = a.x < b.x
            x1 = a.x + a.w if forward else a.x
            x2 = b.x if forward else b.x + b.w
            y1, y2 = a.y + a.h / 2, b.y + b.h / 2
            c1, c2 = (x1 + x2) / 2, (x1 + x2) / 2
        out.append(
            f'<path class="edge {kind}" data-from="{source}" data-to="{target}" '
            f'd="M{x1:.0f},{y1:.0f} C{c1:.0f},{y1:.0f} {c2:.0f},{y2:.0f} {x2:.0f},{y2:.0f}" fill="none" '
            f'stroke="{colour}" stroke-width="1.4"{dash} marker-end="url(#arrow-{kind})"/>'
        )
        mx, my = (x1 + x2) / 2 + (40 if abs(a.x - b.x) < 1 else 0), (y1 + y2) / 2
        if kind.startswith("key-"):
            # Every edge of a key starts at the same point: name the key once, next to it.
            if source in labelled:
                continue
            labelled.add(source)
            mx, my = x1 + 40, y1
        out.append(
            f'<text x="{mx:.0f}" y="{my - 3:.0f}" fill="{colour}" font-size="10" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    legend_y = height - 45
    items = [
        ("data key", KEY_COLOURS["data"]),
        ("backup key", KEY_COLOURS["backup"]),
        ("secondary backup key", KEY_COLOURS["secondary_backup"]),
        ("log key / log flow", KEY_COLOURS["log"]),
        ("backup and copies", FLOW_COLOURS["copy"]),
        ("network", FLOW_COLOURS["net"]),
    ]
    out.append(f'<text x="{MARGIN}" y="{legend_y}" font-weight="bold">Legend:</text>')
    for i, (name, colour) in enumerate(items):
        x = MARGIN + 60 + i * 185
        out.append(
            f'<line x1="{x}" y1="{legend_y - 4}" x2="{x + 30}" y2="{legend_y - 4}" stroke="{colour}" stroke-width="2"/>'
        )
        out.append(f'<text x="{x + 36}" y="{legend_y}">{escape(name)}</text>')
    out.append(
        f'<text x="{MARGIN}" y="{legend_y + 20}" fill="#555">Dashed: encrypted with that key (who may use '
        "the key is listed on it, from its key policy). Solid: backups, copies, log flow.</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"
