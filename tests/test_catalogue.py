"""The VTC condition catalogue (policies/conditions.toml) is the project's own: validated, read by
the pack's registry, the README's tables and the report, and nothing reads a file outside the
repository (a fresh clone builds the report)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from policies import table
from policies.catalogue import CATALOGUE_FILE, CHECKABLE, CatalogueError, catalogue, load_catalogue
from policies.registry import RULES
from tools import report as report_tool

ROOT = Path(__file__).resolve().parent.parent

GOOD = """
[advice]
title = "Advies VTC nr. 01/2018 van 31 januari 2018"
date = 2018-01-31
author = "VTC"
subject = "migratie van de LED naar een publieke cloud"

[[condition]]
id = "VTC-ONE"
paragraphs = ["37", "V"]
statement = "Keep a backup elsewhere."
checkable = "yes"
controls = "copies to another account"
[condition.quotes]
"37" = "men moet dus zeker elders een backup voorzien."
"V" = "er kunnen maar persoonsgegevens in de cloud worden gezet"
"""

# The reference folder next to the project that nothing may read (spelt in two parts so that the
# project names it nowhere).
OUTSIDE = "../" + "shared"


def test_the_catalogue_holds_every_condition_with_the_advices_words():
    cat = catalogue()
    assert cat.path == CATALOGUE_FILE and CATALOGUE_FILE.is_relative_to(ROOT)
    assert cat.advice.title == "Advies VTC nr. 01/2018 van 31 januari 2018"
    assert cat.advice.date.isoformat() == "2018-01-31"
    assert "publieke cloud" in cat.advice.subject
    assert len(cat.conditions) == len(set(cat.ids)) == 25
    assert cat.ids[0] == "VTC-SEC-STORAGE" and cat.ids[-1] == "VTC-GENERAL-GUIDANCE"
    for condition in cat.conditions:
        assert [q.paragraph for q in condition.quotes] == list(condition.paragraphs)
        assert all(q.text and "\n" not in q.text and "  " not in q.text for q in condition.quotes)
        assert condition.checkable in CHECKABLE
        assert bool(condition.evidence) == condition.organisational
    by_id = cat.by_id
    assert by_id["VTC-AUDIT-TRAIL"].paragraphs == ("11", "49")
    assert "degelijke auditsystemen" in by_id["VTC-AUDIT-TRAIL"].quotes[1].text
    assert by_id["VTC-BACKUP-RETENTION"].quotes[1].text.startswith("De VTC geeft aan dat het belangrijk is")
    assert by_id["VTC-KEY-REENCRYPT"].citation == "§46, footnote 4"
    assert "longitudinale gegevens" in by_id["VTC-KEY-REENCRYPT"].quotes[1].text
    assert by_id["VTC-LEAST-PRIVILEGE"].citation == "conclusion V"
    assert "least priviledged principe" in by_id["VTC-LEAST-PRIVILEGE"].quotes[0].text  # the advice's spelling
    assert {c.id for c in cat.conditions if c.organisational} == {
        "VTC-SEC-PLAN",
        "VTC-PROVIDER-EVIDENCE",
        "VTC-GENERAL-GUIDANCE",
    }


def test_every_rule_of_the_pack_serves_a_condition_of_the_catalogue():
    ids = set(catalogue().ids)
    unknown = {r.rule_id: r.condition_id for r in RULES if r.condition_id not in ids}
    assert unknown == {}
    # Rule ids are condition ids, or a condition id plus a suffix.
    assert all(r.rule_id == r.condition_id or r.rule_id.startswith(r.condition_id + "-") for r in RULES)


def test_the_readme_tables_come_from_the_registry_and_the_catalogue():
    readme = (ROOT / "README.md").read_text()
    assert table.replace(readme) == readme, "run: python -m policies.table --write README.md"
    conditions = readme.split(table.CONDITIONS_START, 1)[1].split(table.CONDITIONS_END, 1)[0]
    assert all(f"| {cid} |" in conditions for cid in catalogue().ids)
    assert OUTSIDE not in readme


def test_a_rule_naming_an_unknown_condition_stops_the_table(monkeypatch):
    rule = RULES[0]
    monkeypatch.setattr(table, "RULES", (type(rule)(**{**rule.__dict__, "condition_id": "VTC-NOWHERE"}),))
    with pytest.raises(ValueError, match="condition VTC-NOWHERE is not in conditions.toml"):
        table.markdown()


def test_a_well_formed_catalogue_loads(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(GOOD)
    cat = load_catalogue(path)
    assert cat.ids == ("VTC-ONE",)
    assert cat.conditions[0].paragraph == "37, V (conclusion)"
    assert cat.conditions[0].citation == "§37, conclusion V"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace('id = "VTC-ONE"', 'id = "VTC-ONE'), "is not valid TOML"),
        (lambda t: t + _second("VTC-ONE"), "listed twice"),
        (lambda t: t.replace('statement = "Keep a backup elsewhere."\n', ""), "missing field(s) statement"),
        (
            lambda t: t.replace('"V" = "er kunnen maar persoonsgegevens in de cloud worden gezet"\n', ""),
            "'V' has no quote",
        ),
        (lambda t: t.replace('"er kunnen maar persoonsgegevens in de cloud worden gezet"', '"  "'), "'V' has no quote"),
        (lambda t: t.replace('checkable = "yes"', 'checkable = "maybe"'), "field 'checkable': got 'maybe'"),
        (lambda t: t.replace('checkable = "yes"', 'checkable = "organisational"'), "needs 'evidence'"),
        (lambda t: t.replace('paragraphs = ["37", "V"]', 'paragraphs = ["37", "V", "§40"]'), "paragraph '§40'"),
        (lambda t: t.replace('"37" = ', '"38" = '), "paragraph '37' has no quote"),
        (lambda t: t.replace("date = 2018-01-31", 'date = "31 januari"'), "field 'date' must be a TOML date"),
        (lambda t: t.replace('checkable = "yes"', 'checkable = "yes"\ncolour = "red"'), "unknown field(s) colour"),
        (lambda t: t.split("[[condition]]")[0], "no [[condition]] entries"),
    ],
)
def test_a_malformed_catalogue_fails_with_one_line(tmp_path, edit, expected):
    path = tmp_path / "c.toml"
    path.write_text(edit(GOOD))
    with pytest.raises(CatalogueError) as err:
        load_catalogue(path)
    message = str(err.value)
    assert expected in message and str(path) in message and "\n" not in message


def _second(cid: str) -> str:
    return "\n[[condition]]" + GOOD.split("[[condition]]", 1)[1].replace('id = "VTC-ONE"', f'id = "{cid}"')


def test_a_missing_catalogue_fails_with_one_line(tmp_path):
    with pytest.raises(CatalogueError, match=r"catalogue .*nowhere\.toml is missing"):
        load_catalogue(tmp_path / "nowhere.toml")


# --- the report shows the advice's words ------------------------------------------------------------


def test_the_report_quotes_the_advice_next_to_each_condition_in_every_format(written_report):
    cat = catalogue()
    prod = written_report.reports["prod"]
    assert prod["advice"]["title"] == cat.advice.title
    folder = written_report.cdk_out / "compliance" / "prod"
    md, page = (folder / "report.md").read_text(), (folder / "report.html").read_text()
    on_disk = json.loads((folder / "report.json").read_text())
    for condition, row, row_on_disk in zip(cat.conditions, prod["conditions"], on_disk["conditions"], strict=True):
        assert row["id"] == condition.id and row_on_disk == row
        assert row["quotes"] == [{"paragraph": q.paragraph, "label": q.label, "text": q.text} for q in condition.quotes]
        heading = md.index(f"### {condition.id} ")
        detail = md[heading : md.find("\n### ", heading + 1)]
        for quote in condition.quotes:
            assert f"> **{quote.label}** — “{quote.text}”" in detail
            escaped = quote.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            escaped = escaped.replace('"', "&quot;").replace("'", "&#x27;")
            assert f"<b>{quote.label}</b><blockquote lang='nl'>{escaped}</blockquote>" in page
    assert "the advice (Dutch)" in page


# --- nothing outside the repository is read ----------------------------------------------------------


def _tracked_files() -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: cannot list the repository's files")
    return [f for f in out.decode().split("\0") if f and (ROOT / f).is_file()]


def test_a_fresh_copy_of_the_repository_builds_the_report(cdk_out, tmp_path):
    """The tracked files alone, in an empty directory with nothing beside it (no folder next to the project)."""
    copy = tmp_path / "alone" / "repo"
    for name in _tracked_files():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    assert sorted(p.name for p in copy.parent.iterdir()) == ["repo"]
    shutil.move(cdk_out, copy / "cdk.out")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-m", "tools.report", "cdk.out"], cwd=copy, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    for env_name in ("dev", "acc", "prod"):
        folder = copy / "cdk.out" / "compliance" / env_name
        assert {"report.md", "report.json", "report.html", "architecture.svg"} <= {p.name for p in folder.iterdir()}
        data = json.loads((folder / "report.json").read_text())
        assert [r["id"] for r in data["conditions"]] == list(catalogue().ids)
    # The copy's own modules ran, not the checkout's.
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import policies.catalogue as c, tools.report as r; print(c.__file__); print(r.__file__)",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert all(Path(line).is_relative_to(copy) for line in check.stdout.split())


def test_building_the_report_opens_no_file_outside_the_repository(cdk_out):
    allowed = [
        ROOT,
        Path(tempfile.gettempdir()).resolve(),
        cdk_out.resolve(),
        Path(sys.prefix).resolve(),
        *{Path(sysconfig.get_paths()[k]).resolve() for k in ("stdlib", "platstdlib", "purelib", "platlib")},
        *{Path(p).resolve() for p in sys.path if "site-packages" in p},
    ]
    opened: list[str] = []
    recording = [True]

    def hook(event: str, args: tuple) -> None:
        if recording[0] and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
            opened.append(os.fsdecode(args[0]))

    sys.addaudithook(hook)  # audit hooks cannot be removed: it records only while `recording`
    try:
        report_tool.write_reports(cdk_out, report_tool.load_inputs(cdk_out))
    finally:
        recording[0] = False
    assert any(Path(p).resolve() == CATALOGUE_FILE for p in opened)
    outside = sorted({p for p in opened if not any(Path(p).resolve().is_relative_to(a) for a in allowed)})
    assert outside == []
    assert not any("shared" in Path(p).resolve().parts for p in opened)
