"""The Markdown of each section (report.md, and summary.md: the conditions table alone)."""

from __future__ import annotations

from typing import Any

from tools.report.model import ACCEPTED, ENFORCED, FAILING, ConditionRow, Report


def cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def where(item: dict[str, Any]) -> str:
    return f"`{item.get('stack', '')}` / `{item.get('logical_id', '') or '-'}` (`{item.get('path', '')}`)"


def _evidence(row: ConditionRow) -> str:
    if row.gate_checks is not None:
        return row.note
    if row.status == ENFORCED:
        return f"rules {', '.join(row.rules)}: {row.evaluated['compliant']} compliant"
    if row.status == ACCEPTED:
        return "; ".join(f"{a['rule']} on `{a['path']}`: {a['reason']}" for a in row.accepted_risks)
    if row.status == FAILING:
        return "; ".join(f"{f['rule']} on `{f['path']}`" for f in row.failures)
    return row.note


def compliance_table(report: Report) -> str:
    """The table of conditions alone (the pull request's job summary shows it)."""
    lines = [
        f"### VTC conditions — {report.environment}",
        "",
        "| id | § | what the advice asks | status | evidence |",
        "|---|---|---|---|---|",
    ]
    for row in report.conditions:
        lines.append(
            f"| {row.id} | {cell(row.paragraph)} | {cell(row.paraphrase)} | "
            f"**{row.status_label}** | {cell(_evidence(row))} |"
        )
    s = report.summary
    lines += [
        "",
        f"{s['enforced']} enforced and passing, {s['accepted-risk']} accepted risk, {s['failing']} failing, "
        f"{s['organisational']} organisational, {s['not-checked']} not checked; "
        f"{s['acknowledgements']} acknowledgements in the accepted-risks register.",
    ]
    return "\n".join(lines) + "\n"


def environment(report: Report) -> list[str]:
    cfg = report.environment_config
    if not cfg:
        return []
    out = [
        "## Environment",
        "",
        f"Region `{cfg['region']}`; holds personal data: **{'yes' if cfg['holds_personal_data'] else 'no'}**; "
        f"owner {cfg['owner']}."
        + (
            " Uses AWS documentation account ids: for review, not deployable."
            if cfg["uses_documentation_accounts"]
            else ""
        ),
        "",
        "| account | id |",
        "|---|---|",
    ]
    out += [f"| {name.replace('_', ' ')} | {value} |" for name, value in cfg["accounts"].items()]
    return [*out, ""]


_DETAILS = (
    ("Compliant resources", "compliant_resources", lambda i: f"{i['rule']}: {where(i)}"),
    ("Failing", "failures", lambda i: f"{i['rule']}: {where(i)} — {i['description']}"),
    (
        "Accepted risks",
        "accepted_risks",
        lambda i: f"{i['rule']}: {where(i)}, acknowledged at `{i['acknowledged_at']}` — {i['reason']}",
    ),
    ("Resources that carry this id in their metadata", "implemented_by", lambda i: f"{i['type']} {where(i)}"),
)


def _condition(row: ConditionRow) -> list[str]:
    out = [f"### {row.id} ({', '.join(q.label for q in row.quotes)}) — {row.status_label}", ""]
    # The advice's own words, one quote block per paragraph.
    out += [line for q in row.quotes for line in (f"> **{q.label}** — “{q.text}”", "")]
    out += [f"*{row.paraphrase}* Expected control: {row.expected_control}.", ""]
    out.append(f"Status: **{row.status_label}** — {row.note.removeprefix(row.status_label + ': ')}.")
    if row.rules:
        ev = row.evaluated
        out.append(
            f"Rules: {', '.join(row.rules)}; evaluated {ev['compliant']} compliant, "
            f"{ev['non_compliant']} non-compliant, {ev['not_applicable']} not applicable."
        )
    if row.stacks_citing:
        out.append(f"Stacks whose description cites it: {', '.join(f'`{s}`' for s in row.stacks_citing)}.")
    out.append("")
    for title, name, fmt in _DETAILS:
        items = getattr(row, name)
        if items:
            out += [f"{title}:", *[f"- {fmt(i)}" for i in items], ""]
    return out


def conditions(report: Report) -> list[str]:
    out = [compliance_table(report), "## Conditions in detail", ""]
    out.append(
        "Each condition starts with the words of the advice (Dutch, quoted from "
        f"{report.advice['title']}, by paragraph), then what the landing zone shows for it."
    )
    out.append("")
    for row in report.conditions:
        out += _condition(row)
    return out


def days_left(days: int | None) -> str:
    """Days until an accepted risk's review; overdue and missing said in words."""
    if days is None:
        return "not in the register"
    return f"{-days} day(s) overdue" if days < 0 else f"{days}"


def register(report: Report) -> list[str]:
    out = [
        "## Accepted-risks register",
        "",
        "Every acknowledgement of every rule pack in this environment (VTC-RISK-ACCEPTED, §56), with the "
        f"owner who accepted the risk, when, and its review-by date; days left as of "
        f"{report.parts.get('accepted_risks_as_of', '')}.",
        "",
        "| pack | rule | resource | acknowledged at | reason | conditions | owner | accepted | review by | days left |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    out += [
        f"| {r['pack']} | {cell(r['rule'])} | {where(r)} | `{r['acknowledged_at']}` | {cell(r['reason'])} "
        f"| {', '.join(r['conditions'])} | {cell(r['owner'])} | {r['accepted']} | {r['review_by']} "
        f"| {days_left(r['days_left'])} |"
        for r in report.parts["accepted_risks"]
    ]
    unacknowledged = report.parts["unacknowledged_findings"]
    if unacknowledged:
        out += ["", "## Unacknowledged findings", "", "| pack | rule | resource | description |", "|---|---|---|---|"]
        out += [f"| {f['pack']} | {cell(f['rule'])} | {where(f)} | {cell(f['description'])} |" for f in unacknowledged]
    return [*out, ""]


def keys(report: Report) -> list[str]:
    out = [
        "## Keys",
        "",
        "| alias | purpose | custody account | region | rotation | administered by | used by |",
        "|---|---|---|---|---|---|---|",
    ]
    for k in report.parts["keys"]:
        admins = "; ".join(", ".join(a["principals"]) for a in k["administrators"])
        users = "; ".join(f"{', '.join(u['principals'])} [{u['conditions']}]" for u in k["users"])
        out.append(
            f"| {k['alias']} | {k.get('purpose', '')} | {k['custody_account']} | {k['region']} | "
            f"{k['rotation']} | {cell(admins)} | {cell(users)} |"
        )
    return [*out, ""]


def backups(report: Report) -> list[str]:
    bs = report.parts["backup_summary"]
    out = ["## Backups", "", f"Generations configured: {bs['generations_configured']}.", ""]
    out += [f"- rule {r}" for r in bs["daily_rules"]] + [f"- copy to {c}" for c in bs["copies"]]
    out += [f"- restore test {t['schedule']} from {', '.join(t['from_vaults'])}" for t in report.parts["restore_tests"]]
    out += ["", "| vault | account | region | key | lock (min/max days, mode) |", "|---|---|---|---|---|"]
    out += [
        f"| {v['name']}{' (logically air-gapped)' if v['air_gapped'] else ''} | {v['account']} | {v['region']} | "
        f"{cell(v['key'])} | "
        f"{v['lock']['min_retention_days']}/{v['lock']['max_retention_days']}, {v['lock']['mode']} |"
        for v in report.parts["vaults"]
    ]
    for db in report.parts["databases"]:
        out += [
            "",
            f"Database `{db['identifier']}`: {db['engine']}, {db['instance_class']}, multi-AZ "
            f"{db['multi_az']}, encrypted {db['storage_encrypted']} with {db['key']}; automated backups "
            f"kept {db['automated_backup_retention_days']} days; logs exported: {', '.join(db['log_exports'])}.",
        ]
    return [*out, ""]


def logs(report: Report) -> list[str]:
    out = ["## Logs and who can read them", "", "| store | name | account | key | retention |", "|---|---|---|---|---|"]
    out += [
        f"| {s['kind']} | {cell(s['name'])} | {s['account']} | {cell(s['key'])} | {s.get('retention_days', '')} |"
        for s in report.parts["log_stores"]
    ]
    out += ["", "| who | how | condition |", "|---|---|---|"]
    out += [f"| {cell(r['who'])} | {cell(r['how'])} | {cell(r['condition'])} |" for r in report.parts["log_readers"]]
    return [*out, ""]


def stacks(report: Report) -> list[str]:
    rows = report.parts["stacks"]
    out = ["## Stacks and outputs", "", "| stack | account | region | description |", "|---|---|---|---|"]
    out += [f"| {s['stack']} | {s['account']} | {s['region']} | {cell(s['description'])} |" for s in rows]
    out += ["", "| stack | output | description | value |", "|---|---|---|---|"]
    out += [
        f"| {s['stack']} | {name} | {cell(o['description'])} | `{cell(o['value'])}` |"
        for s in rows
        for name, o in s["outputs"].items()
    ]
    return [*out, ""]


def personal_data(report: Report) -> list[str]:
    out = ["## Personal-data stores (VTC-PERSONAL-DATA)", ""]
    out += [f"- {p['type']} {where(p)}" for p in report.parts["personal_data_stores"]] or ["- none in this environment"]
    return [*out, ""]


def architecture(report: Report) -> list[str]:
    return ["## Architecture", "", "Drawn from the synthesized templates: [architecture.svg](architecture.svg).", ""]
