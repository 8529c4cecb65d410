"""Writes an RDS snapshot export folder as RDS writes it to S3: metadata JSON plus Parquet per table.

Layout and metadata fields follow the RDS user guide ("Exporting DB snapshot data to Amazon S3"):
export_info_<id>.json, export_tables_info_<id>_from_1_to_<n>.json whose perTableStatus entries
name the table as <database>.<schema>.<table>, and <database>/<schema>.<table>/<partition>/part-*.gz.parquet.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

UTC = dt.UTC


def learners(n: int) -> pa.Table:
    return pa.table(
        {
            "national_register_number": pa.array(
                [f"85.07.30-{i:03d}.{(97 - i) % 97:02d}" for i in range(n)], pa.string()
            ),
            "name": pa.array([f"Learner {i}" for i in range(n)], pa.string()),
            "born": pa.array([dt.date(1985, 7, 30) + dt.timedelta(days=i) for i in range(n)], pa.date32()),
        }
    )


def diplomas(n: int) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(range(1, n + 1), pa.int64()),
            "learner": pa.array([f"85.07.30-{i % 7:03d}.{(97 - i % 7) % 97:02d}" for i in range(n)], pa.string()),
            "title": pa.array([f"Bachelor {i}" for i in range(n)], pa.string()),
            "awarded_on": pa.array([dt.date(2010, 6, 30) + dt.timedelta(days=i) for i in range(n)], pa.date32()),
            "registered_at": pa.array(
                [dt.datetime(2018, 1, 31, 12, tzinfo=UTC) + dt.timedelta(hours=i) for i in range(n)],
                pa.timestamp("us", tz="UTC"),
            ),
            "grade": pa.array([Decimal("14.50") + i for i in range(n)], pa.decimal128(5, 2)),
            "with_distinction": pa.array([i % 3 == 0 for i in range(n)], pa.bool_()),
        }
    )


TABLES = {"public.learner": learners, "public.diploma": diplomas}


def write_export(
    root: Path,
    export_id: str,
    rows: dict[str, int],
    *,
    database: str = "led",
    files_per_table: int = 2,
    status: str = "COMPLETE",
) -> Path:
    """An export folder `root/<export_id>/` holding `rows[table]` rows of each table."""
    folder = root / export_id
    folder.mkdir(parents=True)
    per_table = []
    for key, count in rows.items():
        table = TABLES[key](count) if key in TABLES else pa.table({"note": pa.array([f"n{i}" for i in range(count)])})
        if count:
            target = folder / database / key / "1"
            target.mkdir(parents=True)
            step = -(-count // files_per_table)
            for part, start in enumerate(range(0, count, step)):
                pq.write_table(
                    table.slice(start, step),
                    target / f"part-{part:05d}-7c1a0e2b-2f4d.c000.gz.parquet",
                    compression="gzip",
                )
        per_table.append(
            {
                "TableStatistics": {
                    "extractionStartTime": "2026-11-29T01:02:03.066Z",
                    "extractionEndTime": "2026-11-29T01:04:09.307Z",
                    "partitioningInfo": {"numberOfPartitions": 1, "numberOfCompletedPartitions": 1},
                },
                "schemaMetadata": {
                    "originalTypeMappings": [
                        {
                            "columnName": name,
                            "originalType": "text",
                            "expectedExportedType": "binary (UTF8)",
                            "originalCharMaxLength": 0,
                            "originalNumPrecision": 0,
                            "originalDateTimePrecision": 0,
                        }
                        for name in table.column_names
                    ]
                },
                "status": status,
                "sizeGB": 0.0001,
                "target": f"{database}.{key}",
            }
        )
    per_table.append({"warningMessage": "The export does not include the following objects: views", "target": database})
    (folder / f"export_info_{export_id}.json").write_text(
        json.dumps(
            {
                "exportTaskIdentifier": export_id,
                "sourceArn": "arn:aws:rds:eu-west-1:444455556666:snapshot:awsbackup:"
                "job-be59cf2a-2343-4402-bd8b-226993d23453",
                "exportOnly": [],
                "snapshotTime": "Nov 29, 2026 1:00:00 AM",
                "taskStartTime": "Nov 29, 2026 1:01:00 AM",
                "taskEndTime": "Nov 29, 2026 1:05:00 AM",
                "s3Bucket": "led-dev-exit-444455556666-eu-west-1",
                "s3Prefix": "exit-drill",
                "exportedFilesPath": f"exit-drill/{export_id}",
                "iamRoleArn": "arn:aws:iam::444455556666:role/led-dev-exit-export",
                "kmsKeyId": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                "status": status,
                "percentProgress": 100,
                "totalExportedDataInGB": 0.0002,
            }
        )
    )
    (folder / f"export_tables_info_{export_id}_from_1_to_{len(rows)}.json").write_text(
        json.dumps({"perTableStatus": per_table})
    )
    return folder
