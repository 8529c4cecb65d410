"""The HTML of each section (report.html: one self-contained page, the picture inlined)."""

from __future__ import annotations

from html import escape as e
from typing import Any

from tools.report.markdown import days_left
from tools.report.model import ConditionRow, Report

CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px;color:#222}
table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border:1px solid #ccc;padding:4px 6px;
vertical-align:top;text-align:left;font-size:13px}th{background:#eee}code{font-size:12px}
.enforced{background:#d9f2d9}.accepted-risk{background:#fff2cc}.failing{background:#f8d0d0}
.organisational{background:#dde6f5}.not-checked{background:#eee}details{margin:.3em 0}
blockquote{margin:.2em 0 .5em 0;padding-left:.6em;border-left:3px solid #999;font-style:italic}
"""


def table(headers: list[str], rows: list[list[str]], classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join(
        f"<tr class='{classes[i] if classes else ''}'>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>"
        for i, row in enumerate(rows)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def where(i: dict[str, Any]) -> str:
    return (
        f"<code>{e(i.get('stack', ''))}</code> / <code>{e(i.get('logical_id', '') or '-')}</code>"
        f"<br><small>{e(i.get('path', ''))}</small>"
    )


def environment(report: Report, svg: str) -> str:
    cfg = report.environment_config
    if not cfg:
        return ""
    doc = (
        " Uses AWS documentation account ids: for review, not deployable." if cfg["uses_documentation_accounts"] else ""
    )
    return (
        f"<h2>Environment</h2><p>Region <code>{e(cfg['region'])}</code>; holds personal data: "
        f"<b>{'yes' if cfg['holds_personal_data'] else 'no'}</b>; owner {e(str(cfg['owner']))}.{e(doc)}</p>"
        + table(["account", "id"], [[e(n.replace("_", " ")), e(str(v))] for n, v in cfg["accounts"].items()])
    )


_DETAILS = (
    ("compliant", "compliant_resources", lambda i: f"{e(i['rule'])}: {where(i)}"),
    ("failing", "failures", lambda i: f"{e(i['rule'])}: {where(i)} — {e(i['description'])}"),
    ("accepted", "accepted_risks", lambda i: f"{e(i['rule'])}: {where(i)} — {e(i['reason'])}"),
    ("in metadata of", "implemented_by", lambda i: f"{e(i['type'])} {where(i)}"),
)


def _condition(row: ConditionRow) -> list[str]:
    details = []
    for title, name, fmt in _DETAILS:
        items = getattr(row, name)
        if items:
            details.append(
                f"<details><summary>{e(title)} ({len(items)})</summary><ul>"
                + "".join(f"<li>{fmt(i)}</li>" for i in items)
                + "</ul></details>"
            )
    quotes = "".join(f"<b>{e(q.label)}</b><blockquote lang='nl'>{e(q.text)}</blockquote>" for q in row.quotes)
    return [
        f"<b>{e(row.id)}</b>",
        e(row.paragraph),
        quotes,
        e(row.paraphrase),
        f"<b>{e(row.status_label)}</b><br><small>{e(row.note)}</small>",
        e(", ".join(row.rules)),
        "".join(details),
    ]


def conditions(report: Report, svg: str) -> str:
    rows = report.conditions
    return (
        "<h2>VTC conditions</h2>"
        f"<p>The advice's own words (Dutch) are quoted from {e(report.advice['title'])}, by paragraph (§).</p>"
        + table(
            ["id", "§", "the advice (Dutch)", "what the advice asks", "status", "rules", "evidence"],
            [_condition(r) for r in rows],
            [r.status for r in rows],
        )
    )


def register(report: Report, svg: str) -> str:
    rows = report.parts["accepted_risks"]
    out = (
        "<h2>Accepted-risks register</h2>"
        f"<p>Days left until each risk's review as of {e(report.parts.get('accepted_risks_as_of', ''))}.</p>"
    )
    out += table(
        [
            "pack",
            "rule",
            "resource",
            "acknowledged at",
            "reason",
            "conditions",
            "owner",
            "accepted",
            "review by",
            "days left",
        ],
        [
            [
                e(r["pack"]),
                e(r["rule"]),
                where(r),
                f"<code>{e(r['acknowledged_at'])}</code>",
                e(r["reason"]),
                e(", ".join(r["conditions"])),
                e(r["owner"]),
                e(r["accepted"]),
                e(r["review_by"]),
                e(days_left(r["days_left"])),
            ]
            for r in rows
        ],
        ["failing" if r["days_left"] is None or r["days_left"] < 0 else "" for r in rows],
    )
    unacknowledged = report.parts["unacknowledged_findings"]
    if unacknowledged:
        out += "<h2>Unacknowledged findings</h2>" + table(
            ["pack", "rule", "resource", "description"],
            [[e(f["pack"]), e(f["rule"]), where(f), e(f["description"])] for f in unacknowledged],
            ["failing"] * len(unacknowledged),
        )
    return out


def keys(report: Report, svg: str) -> str:
    return "<h2>Keys</h2>" + table(
        ["alias", "purpose", "custody account", "region", "rotation", "administered by", "used by"],
        [
            [
                e(k["alias"]),
                e(k.get("purpose", "")),
                e(k["custody_account"]),
                e(k["region"]),
                e(k["rotation"]),
                "<br>".join(e(", ".join(a["principals"])) for a in k["administrators"]),
                "<br>".join(
                    f"{e(', '.join(u['principals']))} <small>[{e(u['conditions'])}]</small>" for u in k["users"]
                ),
            ]
            for k in report.parts["keys"]
        ],
    )


def backups(report: Report, svg: str) -> str:
    bs = report.parts["backup_summary"]
    vaults = table(
        ["vault", "account", "region", "key", "lock"],
        [
            [
                e(v["name"] + (" (logically air-gapped)" if v["air_gapped"] else "")),
                e(v["account"]),
                e(v["region"]),
                e(v["key"]),
                e(f"{v['lock']['min_retention_days']}/{v['lock']['max_retention_days']} days, {v['lock']['mode']}"),
            ]
            for v in report.parts["vaults"]
        ],
    )
    databases = table(
        ["database", "engine", "class", "multi-AZ", "key", "automated backups (days)", "logs exported"],
        [
            [
                e(db["identifier"]),
                e(db["engine"]),
                e(str(db["instance_class"])),
                e(str(db["multi_az"]).lower()),
                e(db["key"]),
                e(str(db["automated_backup_retention_days"])),
                e(", ".join(db["log_exports"])),
            ]
            for db in report.parts["databases"]
        ],
    )
    return (
        f"<h2>Backups</h2><p>Generations configured: {e(str(bs['generations_configured']))}.</p><ul>"
        + "".join(f"<li>rule {e(r)}</li>" for r in bs["daily_rules"])
        + "".join(f"<li>copy to {e(c)}</li>" for c in bs["copies"])
        + "".join(
            f"<li>restore test {e(str(t['schedule']))} from {e(', '.join(t['from_vaults']))}</li>"
            for t in report.parts["restore_tests"]
        )
        + "</ul>"
        + vaults
        + databases
    )


def logs(report: Report, svg: str) -> str:
    return (
        "<h2>Logs and who can read them</h2>"
        + table(
            ["store", "name", "account", "key", "retention"],
            [
                [e(x["kind"]), e(x["name"]), e(x["account"]), e(x["key"]), e(str(x.get("retention_days", "")))]
                for x in report.parts["log_stores"]
            ],
        )
        + table(
            ["who", "how", "condition"],
            [[e(r["who"]), e(r["how"]), e(r["condition"])] for r in report.parts["log_readers"]],
        )
    )


def stacks(report: Report, svg: str) -> str:
    return "<h2>Stacks and outputs</h2>" + table(
        ["stack", "account", "region", "description", "outputs"],
        [
            [
                e(x["stack"]),
                e(x["account"]),
                e(x["region"]),
                e(x["description"]),
                "<br>".join(f"<b>{e(n)}</b>: <code>{e(o['value'])}</code>" for n, o in x["outputs"].items()),
            ]
            for x in report.parts["stacks"]
        ],
    )


def personal_data(report: Report, svg: str) -> str:
    stores = report.parts["personal_data_stores"]
    items = "".join(f"<li>{e(p['type'])} {where(p)}</li>" for p in stores) or "<li>none in this environment</li>"
    return f"<h2>Personal-data stores (VTC-PERSONAL-DATA)</h2><ul>{items}</ul>"


def architecture(report: Report, svg: str) -> str:
    inline = svg.split("?>", 1)[-1] if svg.startswith("<?xml") else svg
    return (
        "<h2>Architecture</h2>"
        "<p>Drawn from the synthesized templates (also as <a href='architecture.svg'>architecture.svg</a>).</p>"
        + inline
    )
