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


Edge = tuple[str, str, str, str]  # from, to, label, kind


class _Layout:
    """Collects the boxes (account × region), their nodes and the edges, part by part."""

    def __init__(self, report: dict[str, Any]) -> None:
        self.report = report
        self.cfg = report.get("environment_config") or {}
        self.accounts: dict[str, str] = self.cfg.get("accounts", {})
        self.role_of: dict[str, str] = {}
        for role, title in ROLES:
            if role in self.accounts:
                self.role_of.setdefault(self.accounts[role], title)
        self.boxes: dict[tuple[str, str], Box] = {}
        self.edges: list[Edge] = []
        self.key_nodes: dict[str, str] = {}  # purpose -> node id
        self.vpc_id = ""

    def add(self, account: str, region: str, node: Node) -> Node:
        if (account, region) not in self.boxes:
            self.boxes[(account, region)] = Box(
                account=account, region=region, title=self.role_of.get(account, "Account")
            )
        self.boxes[(account, region)].nodes.append(node)
        return node

    def key_edge(self, target: str, key_text: str) -> None:
        purpose = key_text.split(" key (")[0] if " key (" in key_text else ""
        if purpose in self.key_nodes:
            self.edges.append((self.key_nodes[purpose], target, f"{purpose.replace('_', ' ')} key", f"key-{purpose}"))

    def keys(self) -> None:
        for i, key in enumerate(self.report["keys"]):
            uses = []
            for use in key["users"]:
                who = ", ".join(_principal_accounts(use["principals"]))
                via = _services(use["conditions"])
                uses.append(_short(f"use: {who}" + (f" via {via}" if via else ""), 58))
            admin = "admin: FB roles only" if key["administrators"] else "admin: ?"
            node = Node(
                id=f"key{i}",
                title=f"KMS key {key['alias'] or key['logical_id']}",
                kind="key",
                lines=[key["rotation"], admin, *dict.fromkeys(uses)],
            )
            self.add(key["custody_account"], key["region"], node)
            if key.get("purpose"):
                self.key_nodes[key["purpose"]] = node.id

    def network(self) -> None:
        for i, vpc in enumerate(self.report["network"]["vpcs"]):
            tiers = [
                f"{tier}: {', '.join(s['cidr'] for s in subnets)} ({subnets[0]['type'].lower()})"
                for tier, subnets in vpc["tiers"].items()
            ]
            gateways = (
                f"internet gateway: {'yes' if vpc['internet_gateway'] else 'none'}, "
                f"NAT: {'yes' if vpc['nat_gateway'] else 'none'}"
            )
            lines = [*[_short(t, 58) for t in tiers], _short(f"endpoints: {', '.join(vpc['endpoints'])}", 58), gateways]
            self.add(
                vpc["account"], vpc["region"], Node(id=f"vpc{i}", title=f"VPC {vpc['cidr']}", kind="vpc", lines=lines)
            )
        self.vpc_id = "vpc0" if self.report["network"]["vpcs"] else ""

    def databases(self) -> None:
        for i, db in enumerate(self.report["databases"]):
            lines = [
                f"{db['engine']}, {db['instance_class']}",
                f"multi-AZ: {'yes' if db['multi_az'] else 'no'}, "
                f"public: {'yes' if db['publicly_accessible'] else 'no'}",
                f"data tier, {db['classification']}",
            ]
            node = self.add(
                db["account"],
                db["region"],
                Node(id=f"db{i}", title=f"Database {db['identifier']}", kind="database", lines=lines),
            )
            self.key_edge(node.id, db["key"])
            if self.vpc_id:
                self.edges.append((self.vpc_id, node.id, "data tier", "net"))

    def logs(self) -> None:
        stores = self.report["log_stores"]
        by_place: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for store in (s for s in stores if s["kind"].startswith("CloudWatch")):
            by_place.setdefault((store["account"], store["region"]), []).append(store)
        for i, ((account, region), group) in enumerate(by_place.items()):
            lines = [_short(s["name"], 58) for s in group] + [f"kept {group[0]['retention_days']} days"]
            node = self.add(
                account, region, Node(id=f"logs{i}", title=f"Log groups ({len(group)})", kind="logs", lines=lines)
            )
            self.key_edge(node.id, group[0]["key"])
            if self.vpc_id:
                self.edges.append((self.vpc_id, node.id, "flow logs", "log"))
            self.edges += [
                (f"db{j}", node.id, "pgaudit, connections", "log") for j in range(len(self.report["databases"]))
            ]
        for i, store in enumerate(s for s in stores if not s["kind"].startswith("CloudWatch")):
            node = Node(id=f"archive{i}", title=store["kind"], kind="logs", lines=[_short(store["name"], 58)])
            self.add(store["account"], store["region"], node)

    def backups(self) -> None:
        vault_nodes: dict[str, str] = {}
        for i, vault in enumerate(self.report["vaults"]):
            lock = vault["lock"]
            lines = [
                f"lock {lock['min_retention_days']}–{lock['max_retention_days']} days, {lock['mode']}"[:52],
                vault["classification"],
            ]
            node = self.add(
                vault["account"],
                vault["region"],
                Node(id=f"vault{i}", title=f"Vault {vault['name']}", kind="vault", lines=lines),
            )
            vault_nodes[f"{vault['account']}/{vault['region']}/{vault['name']}"] = node.id
            self.key_edge(node.id, vault["key"])
        databases = range(len(self.report["databases"]))
        for plan in self.report["backup_plans"]:
            for rule in plan["rules"]:
                target = vault_nodes.get(f"{plan['account']}/{plan['region']}/{rule['target_vault']}")
                if not target:
                    continue
                self.edges += [(f"db{j}", target, f"daily, {rule['retention_days']} days", "copy") for j in databases]
                for copy in rule["copies"]:
                    dest = vault_nodes.get(
                        f"{copy['account']}/{copy['region']}/{copy['destination'].rsplit(':', 1)[-1]}"
                    )
                    if dest:
                        self.edges.append((target, dest, f"copy, {copy['retention_days']} days", "copy"))

    def empty_accounts(self) -> None:
        for account, title in ((a, t) for r, t in ROLES for k, a in self.accounts.items() if k == r):
            if any(b.account == account for b in self.boxes.values()):
                continue
            node = Node(
                id=f"empty{account}",
                title="no stack in this synthesis",
                kind="empty",
                lines=["(its stack is not part of this app yet)"],
            )
            self.add(account, self.cfg.get("region", ""), node)
            self.boxes[(account, self.cfg.get("region", ""))].title = title

    def ordered(self) -> list[Box]:
        order = {a: i for i, (role, _t) in enumerate(ROLES) for k, a in self.accounts.items() if k == role}
        region = self.cfg.get("region")
        return sorted(self.boxes.values(), key=lambda b: (order.get(b.account, 99), b.region != region, b.region))


def layout(report: dict[str, Any]) -> tuple[list[Box], list[Edge]]:
    """Boxes (account × region) holding nodes, and edges (from, to, label, kind)."""
    parts = _Layout(report)
    parts.keys()
    parts.network()
    parts.databases()
    parts.logs()
    parts.backups()
    parts.empty_accounts()
    return parts.ordered(), parts.edges


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
        na, nb = nodes.get(source), nodes.get(target)
        if na is None or nb is None:
            continue
        colour = COLOURS.get(kind, "#555555")
        dash = ' stroke-dasharray="5,3"' if kind.startswith("key-") else ""
        if abs(na.x - nb.x) < 1:  # same column: loop out to the right
            x1, y1, x2, y2 = na.x + na.w, na.y + na.h / 2, nb.x + nb.w, nb.y + nb.h / 2
            c1, c2 = x1 + 45, x2 + 45
        else:
            forward = na.x < nb.x
            x1 = na.x + na.w if forward else na.x
            x2 = nb.x if forward else nb.x + nb.w
            y1, y2 = na.y + na.h / 2, nb.y + nb.h / 2
            c1, c2 = (x1 + x2) / 2, (x1 + x2) / 2
        out.append(
            f'<path class="edge {kind}" data-from="{source}" data-to="{target}" '
            f'd="M{x1:.0f},{y1:.0f} C{c1:.0f},{y1:.0f} {c2:.0f},{y2:.0f} {x2:.0f},{y2:.0f}" fill="none" '
            f'stroke="{colour}" stroke-width="1.4"{dash} marker-end="url(#arrow-{kind})"/>'
        )
        mx, my = (x1 + x2) / 2 + (40 if abs(na.x - nb.x) < 1 else 0), (y1 + y2) / 2
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
