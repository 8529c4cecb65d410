"""exit-drill content digests, loading, progress and bad input, against a real PostgreSQL.

The snapshot side is a real database holding the LED tables (what a restore of the recovery point
holds); its evidence file is written by the restore drill's code (`table_evidence`,
`write_evidence`); the export is Parquet in the RDS export layout with RDS's type mapping.
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import json
from decimal import Decimal

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from led_ops import cli, digest, load, restore_drill
from led_ops.errors import DrillError
from led_ops.exit_drill.evidence import write_evidence
from led_ops.exit_drill.export import download_export
from led_ops.progress import Progress
from tests.led_ops_export import diplomas, learners, write_export
from tests.pg import new_database

ROWS = {"public.learner": 7, "public.diploma": 25}


def _snapshot_database(admin_dsn: str) -> str:
    """The LED tables as the database holds them (the source of the export)."""
    dsn = new_database(admin_dsn)
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE public.learner (national_register_number varchar(15) PRIMARY KEY, name text, born date)"
        )
        conn.execute(
            "CREATE TABLE public.diploma (id bigint PRIMARY KEY, learner varchar(15), title text, awarded_on date, "
            "registered_at timestamptz, grade numeric(5,2), with_distinction boolean)"
        )
        with conn.cursor() as cur:
            for key, make in (("public.learner", learners), ("public.diploma", diplomas)):
                table = make(ROWS[key])
                marks = ", ".join(["%s"] * table.num_columns)
                cur.executemany(f"INSERT INTO {key} VALUES ({marks})", [tuple(r.values()) for r in table.to_pylist()])
    return dsn


@pytest.fixture
def evidence(tmp_path, postgres_dsn):
    source = _snapshot_database(postgres_dsn)
    with psycopg.connect(source) as conn:
        digests = restore_drill.table_evidence(conn)
    path = tmp_path / "evidence.json"
    write_evidence(path, digests, recovery_point="arn:aws:rds:eu-west-1:444455556666:snapshot:nightly")
    return path


def _verify(folder, *, evidence=None, target=None, extra=()):
    argv = ["exit-drill", "verify", "--from", str(folder)]
    if evidence is not None:
        argv += ["--expected-counts", str(evidence)]
    if target is not None:
        argv += ["--to-postgres", target]
    return cli.main([*argv, *extra])


def _rewrite(folder, key, change):
    """Apply `change` (a pyarrow Table -> Table) to every Parquet file of `key` in the export."""
    for path in sorted((folder / "led" / key).rglob("*.parquet")):
        pq.write_table(change(pq.read_table(path)), path)


def _set(table: pa.Table, column: str, where, value) -> pa.Table:
    values = table.column(column).to_pylist()
    rows = table.to_pylist()
    new = [value(v) if where(r) else v for r, v in zip(rows, values, strict=True)]
    index = table.schema.get_field_index(column)
    return table.set_column(index, table.schema.field(index), pa.array(new, table.schema.field(index).type))


# --- the digest itself -------------------------------------------------------------------------


def test_every_led_column_type_digests_alike_in_postgres_and_in_parquet(postgres_dsn, tmp_path):
    """Every type the LED schema uses, NULLs, non-ASCII text and the characters the canonical text
    escapes; the Parquet as RDS maps the types (numeric(p,s) -> DECIMAL, unconstrained numeric ->
    STRING, timestamp(tz) -> timestamp micros, date -> DATE, boolean -> BOOLEAN, integers -> INT)."""
    dsn = new_database(postgres_dsn)
    with psycopg.connect(dsn) as conn:
        conn.execute("SET TimeZone = 'Europe/Brussels'")  # the session's zone must not matter
        conn.execute(
            "CREATE TABLE public.t (id bigint PRIMARY KEY, i integer, s smallint, name text, v varchar(20), d date, "
            "ts timestamp, tz timestamptz, n numeric(5,2), u numeric, b boolean)"
        )
        conn.execute(
            "INSERT INTO public.t VALUES "
            "(1, 7, 2, E'Zoë\\ttab\\\\back', 'x', '2010-06-30', '2018-01-31 12:00:00.123456', "
            "'2018-01-31 12:00:00+01', 15.50, 1.2300, true), "
            "(2, NULL, NULL, '', NULL, NULL, NULL, NULL, NULL, NULL, NULL), "
            "(3, -1, -3, E'\\\\N', 'é', '1900-01-01', '2000-02-29 23:59:59', '2026-03-29 01:30:00+00', -0.50, "
            "12345678901234567890.5, false)"
        )
        source = digest.table_digest(conn, "public.t")
        rows = conn.execute("SELECT * FROM public.t ORDER BY id DESC").fetchall()  # another order
    assert source.rows == 3 and source.key == ("id",)
    c = list(zip(*rows, strict=True))
    exported = pa.table(
        {
            "id": pa.array(c[0], pa.int64()),
            "i": pa.array(c[1], pa.int32()),
            "s": pa.array(c[2], pa.int16()),
            "name": pa.array(c[3], pa.string()),
            "v": pa.array(c[4], pa.string()),
            "d": pa.array(c[5], pa.date32()),
            "ts": pa.array(c[6], pa.timestamp("us")),
            "tz": pa.array(c[7], pa.timestamp("us", tz="UTC")),
            "n": pa.array(c[8], pa.decimal128(5, 2)),
            "u": pa.array([None if x is None else str(x) for x in c[9]], pa.string()),
            "b": pa.array(c[10], pa.bool_()),
        }
    )
    # Files split differently, batches of one row: the digest does not depend on layout or order.
    arrow = digest.ArrowDigest(dict(source.columns))
    for batch in exported.to_batches(max_chunksize=1):
        arrow.add(batch)
    assert (arrow.rows, arrow.digest) == (3, source.digest)
    # Without the source's types too (the Arrow types decide), and with the zone dropped by an export.
    naive = exported.set_column(7, "tz", exported.column("tz").cast(pa.timestamp("us")))
    for table in (exported, naive):
        again = digest.ArrowDigest()
        again.add(table.to_batches()[0])
        assert again.digest == source.digest
    # And the copy loaded into another PostgreSQL digests alike there.
    (tmp_path / "t").mkdir()
    pq.write_table(exported.slice(0, 2), tmp_path / "t" / "a.parquet")
    pq.write_table(exported.slice(2), tmp_path / "t" / "b.parquet")
    scans = load.scan_all(
        {"public.t": sorted((tmp_path / "t").glob("*.parquet"))},
        tmp_path,
        dsn=new_database(postgres_dsn),
        with_digest=True,
        progress=Progress("quiet"),
        source_types={"public.t": dict(source.columns)},
    )
    assert scans["public.t"].digest == source.digest and scans["public.t"].target.digest == source.digest
    assert dict(scans["public.t"].target.columns)["n"] == "numeric(5,2)"  # the source's types, not text


def test_one_changed_character_changes_the_digest():
    a = pa.record_batch({"id": [1, 2], "name": ["Ann", "Bob"]})
    b = pa.record_batch({"id": [1, 2], "name": ["Ann", "Bo"]})
    c = pa.record_batch({"id": [2, 1], "name": ["Bob", "Ann"]})
    digests = []
    for batch in (a, b, c):
        d = digest.ArrowDigest()
        d.add(batch)
        digests.append(d.digest)
    assert digests[0] != digests[1] and digests[0] == digests[2]


# --- the drill: content against the snapshot and against the target ---------------------------


def test_an_export_equal_to_the_snapshot_passes_with_digests(tmp_path, postgres_dsn, evidence, capsys):
    folder = write_export(tmp_path, "led-dev-exit-c1", ROWS)
    target = new_database(postgres_dsn)
    assert _verify(folder, evidence=evidence, target=target) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "PASS content equal to the snapshot's (digests): 2 table(s) compared" in out
    assert "PASS loaded content equal to the Parquet (digests): 2 table(s) compared" in out
    body = json.loads(evidence.read_text())
    assert body["format"] == "led-ops-evidence/1"
    assert body["tables"]["public.diploma"]["key"] == ["id"] and body["tables"]["public.diploma"]["rows"] == 25
    buckets = body["tables"]["public.diploma"]["buckets"]
    assert 1 < len(buckets) <= 25 and sum(int(d, 16) for d in buckets.values()) % 2**64 == int(
        body["tables"]["public.diploma"]["digest"], 16
    )


@pytest.mark.parametrize(
    ("key", "column", "where", "change", "named"),
    [
        ("public.diploma", "grade", lambda r: r["id"] == 3, lambda v: v + Decimal("0.01"), "id=3"),  # changed value
        (
            "public.learner",
            "name",
            lambda r: r["name"] == "Learner 4",
            lambda v: v[:5],  # a truncated string
            "national_register_number=85.07.30-004.93",
        ),
        ("public.diploma", "registered_at", lambda r: r["id"] == 9, lambda v: v + dt.timedelta(hours=1), "id=9"),
    ],
    ids=["changed-value", "truncated-string", "shifted-timestamp"],
)
def test_an_export_that_differs_from_the_snapshot_fails_naming_table_and_key(
    tmp_path, evidence, capsys, key, column, where, change, named
):
    folder = write_export(tmp_path, "led-dev-exit-c2", ROWS)
    _rewrite(folder, key, lambda t: _set(t, column, where, change))
    assert _verify(folder, evidence=evidence) == 1
    out = capsys.readouterr().out
    assert "PASS row counts equal to the snapshot's" in out  # counts alone would have passed
    line = next(x for x in out.splitlines() if x.startswith("FAIL content equal to the snapshot's"))
    other = ({"public.diploma", "public.learner"} - {key}).pop()
    assert f"differ: {key}: Parquet " in line and other not in line.split("differ:")[1], line
    # The evidence's key-bucket digests narrow it down to the row (one row per bucket at this size).
    assert f"1 key bucket(s) differ, 1 row(s) of the export in them: {named}" in line, line
    assert "exit drill FAILED" in out


def _with_trigger(target: str, table_sql: str, table: str, body: str) -> None:
    with psycopg.connect(target) as conn:
        conn.execute(table_sql)
        conn.execute(
            f"CREATE FUNCTION alter_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NEW; END $$"
        )
        conn.execute(f"CREATE TRIGGER alter_row BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION alter_row()")


DIPLOMA = (
    "CREATE TABLE public.diploma (id bigint, learner varchar(15), title text, awarded_on date, "
    "registered_at timestamptz, grade numeric(5,2), with_distinction boolean)"
)


@pytest.mark.parametrize(
    ("table_sql", "table", "body", "named"),
    [
        (DIPLOMA, "public.diploma", "IF NEW.id = 3 THEN NEW.grade := NEW.grade + 1; END IF;", "id=3"),
        (
            "CREATE TABLE public.learner (national_register_number varchar(15), name text, born date)",
            "public.learner",
            "IF NEW.name = 'Learner 4' THEN NEW.name := left(NEW.name, 5); END IF;",
            "national_register_number=85.07.30-004.93",
        ),
        (
            DIPLOMA,
            "public.diploma",
            "IF NEW.id = 9 THEN NEW.registered_at := NEW.registered_at + interval '1 hour'; END IF;",
            "id=9",
        ),
    ],
    ids=["changed-value", "truncated-string", "shifted-timestamp"],
)
def test_a_target_that_holds_other_content_fails_naming_table_and_key(
    tmp_path, postgres_dsn, evidence, capsys, table_sql, table, body, named
):
    folder = write_export(tmp_path, "led-dev-exit-c3", ROWS)
    target = new_database(postgres_dsn)
    _with_trigger(target, table_sql, table, body)  # the other platform alters a row on the way in
    assert _verify(folder, evidence=evidence, target=target) == 1
    out = capsys.readouterr().out
    assert "PASS loaded into another PostgreSQL, counts equal" in out
    line = next(x for x in out.splitlines() if x.startswith("FAIL loaded content equal to the Parquet"))
    assert f"{table}: PostgreSQL " in line and f"rows differ at {named}" in line, line


def test_a_target_that_reads_zoneless_timestamps_as_local_time_fails(tmp_path, postgres_dsn, capsys):
    """An export whose timestamps carry no zone (UTC wall clock), loaded into a timestamptz column of
    a server in Europe/Brussels: every instant moves by an hour, the counts stay equal."""
    folder = write_export(tmp_path, "led-dev-exit-c4", ROWS)
    _rewrite(
        folder,
        "public.diploma",
        lambda t: t.set_column(4, "registered_at", t.column("registered_at").cast(pa.timestamp("us"))),
    )
    target = new_database(postgres_dsn)
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE \"{conn.info.dbname}\" SET TimeZone = 'Europe/Brussels'")
        conn.execute(DIPLOMA)
    counts = tmp_path / "counts.json"
    counts.write_text(json.dumps(ROWS))  # the older counts-only file is still read
    assert _verify(folder, evidence=counts, target=target) == 1
    out = capsys.readouterr().out
    assert "NOTE content not compared with the snapshot" in out
    assert "PASS loaded into another PostgreSQL, counts equal" in out
    line = next(x for x in out.splitlines() if x.startswith("FAIL loaded content equal to the Parquet"))
    assert "public.diploma: PostgreSQL " in line and "public.learner" not in line, line
    assert "rows differ at id=" in line  # no key known from a counts-only file: the first column names the row


# --- bad input ---------------------------------------------------------------------------------


def test_a_missing_export_is_one_line_and_exit_2(tmp_path, capsys):
    assert _verify(tmp_path / "nothing-here") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"led-ops: {tmp_path / 'nothing-here'}: no such directory"]


def test_a_partial_export_fails(tmp_path, evidence, capsys):
    folder = write_export(tmp_path, "led-dev-exit-c5", ROWS)
    next((folder / "led" / "public.diploma").rglob("*.parquet")).unlink()  # one of two files missing
    (folder / "export_info_led-dev-exit-c5.json").unlink()
    assert _verify(folder, evidence=evidence) == 1
    out = capsys.readouterr().out
    assert "FAIL export info: no export_info_*.json" in out
    assert "public.diploma: exported 12, snapshot 25" in out


def test_a_bad_evidence_file_is_one_line_and_exit_2(tmp_path, capsys):
    folder = write_export(tmp_path, "led-dev-exit-c6", ROWS)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "led-ops-evidence/9", "tables": {}}))
    assert _verify(folder, evidence=bad) == 2
    assert "format 'led-ops-evidence/9' unknown; allowed:" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("dsn", "said"),
    [
        ("postgresql://led@127.0.0.1:1/led?connect_timeout=3", "--to-postgres: cannot connect:"),
        ("host=localhost dbname", "--to-postgres: not a valid PostgreSQL DSN:"),
    ],
)
def test_a_wrong_dsn_is_one_line_and_exit_2(tmp_path, capsys, dsn, said):
    folder = write_export(tmp_path, "led-dev-exit-c7", ROWS)
    assert _verify(folder, target=dsn) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and said in err[0]


def _tables(target):
    with psycopg.connect(target) as conn:
        return {
            r[0]
            for r in conn.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        }


def test_a_schema_the_target_cannot_take_fails_and_leaves_no_table(tmp_path, postgres_dsn, evidence, capsys):
    body = json.loads(evidence.read_text())
    body["tables"]["public.diploma"]["columns"]["grade"] = "led_grade"  # a domain only the source has
    evidence.write_text(json.dumps(body))
    folder = write_export(tmp_path, "led-dev-exit-c8", ROWS)
    target = new_database(postgres_dsn)
    assert _verify(folder, evidence=evidence, target=target) == 1
    out = capsys.readouterr().out
    assert "FAIL every table loaded into the other PostgreSQL: 1 of 2 table(s) loaded" in out
    assert 'public.diploma: not loaded (rolled back): type "led_grade" does not exist' in out
    assert _tables(target) == {"public.learner"}


def test_a_file_that_breaks_mid_load_rolls_the_table_back(tmp_path, postgres_dsn, capsys):
    folder = write_export(tmp_path, "led-dev-exit-c9", ROWS)
    second = sorted((folder / "led" / "public.diploma").rglob("*.parquet"))[1]
    second.write_bytes(second.read_bytes()[:200])  # the first file loads, then the second breaks
    target = new_database(postgres_dsn)
    assert _verify(folder, target=target) == 1
    out = capsys.readouterr().out
    assert "FAIL files readable as Parquet" in out and second.name in out
    assert "public.diploma: not loaded (rolled back)" in out
    assert _tables(target) == {"public.learner"}  # no half-loaded diploma table


def test_a_full_disk_while_downloading_is_one_line_and_exit_4(tmp_path, monkeypatch):
    class S3:
        def get_paginator(self, name):
            class Pages:
                def paginate(self, **kwargs):
                    return [{"Contents": [{"Key": "exit-drill/x/export_info_x.json", "Size": 10}]}]

            return Pages()

        def download_file(self, bucket, key, filename, Callback=None):
            raise OSError(errno.ENOSPC, "No space left on device")

    class Ctx:
        env = None

        def client(self, name):
            return S3()

    with pytest.raises(DrillError) as raised:
        download_export(Ctx(), "x", tmp_path, bucket="b", progress=Progress("quiet"))
    assert raised.value.exit_code == 4
    assert str(raised.value) == (
        f"cannot write {tmp_path / 'x' / 'export_info_x.json'}: No space left on device "
        "(download of export x; free space or give another --workdir)"
    )


def test_a_full_disk_writing_the_evidence_is_one_line(tmp_path, monkeypatch):
    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(type(tmp_path), "write_text", full)
    with pytest.raises(DrillError, match=r"cannot write the evidence file .*e\.json: No space left on device"):
        write_evidence(tmp_path / "e.json", {})


# --- progress ----------------------------------------------------------------------------------


def test_progress_without_a_terminal_prints_plain_lines(tmp_path, postgres_dsn, capsys):
    folder = write_export(tmp_path, "led-dev-exit-p1", ROWS)
    assert _verify(folder, target=new_database(postgres_dsn)) == 1  # no snapshot counts: the verdict fails
    err = capsys.readouterr().err
    assert "load public.diploma: 25/25 rows (" in err and "rows/s) done" in err
    assert "load public.learner: 7/7 rows (" in err


def test_plain_progress_lines_come_every_interval():
    now = [0.0]
    stream = io.StringIO()
    progress = Progress("plain", stream, interval=5.0, clock=lambda: now[0])
    with progress.task("load public.diploma", total=300) as task:
        for _ in range(3):
            now[0] += 2.5
            task.advance(100)
    lines = stream.getvalue().splitlines()
    assert lines == [
        "[    5.0s] load public.diploma: 200/300 rows (40 rows/s) ...",
        "[    7.5s] load public.diploma: 300/300 rows (40 rows/s) done",
    ]


def test_quiet_prints_the_result_only(tmp_path, postgres_dsn, evidence, capsys):
    folder = write_export(tmp_path, "led-dev-exit-p2", ROWS)
    assert _verify(folder, evidence=evidence, target=new_database(postgres_dsn), extra=["--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "exit drill PASSED (VTC-EXIT)\n" and captured.err == ""


def test_quiet_still_prints_what_failed(tmp_path, evidence, capsys):
    folder = write_export(tmp_path, "led-dev-exit-p3", ROWS)
    _rewrite(folder, "public.learner", lambda t: _set(t, "name", lambda r: True, lambda v: v.upper()))
    assert _verify(folder, evidence=evidence, extra=["--quiet"]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[-1] == "exit drill FAILED (VTC-EXIT)" and all(x.startswith("FAIL ") for x in lines[:-1])
    assert captured.err == ""


def test_a_terminal_gets_a_progress_bar():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = Progress.auto(stream=stream)
    assert progress.mode == "tty"
    with progress.task("load public.diploma", total=10) as task:
        task.advance(10)
    assert "load public.diploma (rows)" in stream.getvalue() and "10/10" in stream.getvalue()
