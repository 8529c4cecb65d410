"""`led-ops exit-drill`: export the database in an open format and prove the data can leave.

VTC-EXIT (§42-43): regular exercises of moving the data to another platform. `run` exports the
latest recovery point (an RDS snapshot) with RDS snapshot export into the exit bucket as Parquet,
waits, and verifies: every table exported and COMPLETE, every file readable as Parquet, row
counts and content digests (led_ops.digest) equal to the snapshot's. The snapshot's come from
restoring that same recovery point (the restore drill's machinery) or from `--expected-counts
FILE` (the evidence file of `restore-drill --counts-out`). `verify --to-postgres DSN` loads the
Parquet into any PostgreSQL (led_ops.load) and compares counts and digests there too.

One module per concern: `drill` (the two commands), `export` (the export task and its download),
`evidence` (the snapshot's counts and digests, read and written), `verification` (the checks).

Export layout (RDS snapshot export to S3):
    <prefix>/<export id>/export_info_<export id>.json
    <prefix>/<export id>/export_tables_info_<export id>_from_<n>_to_<m>.json
    <prefix>/<export id>/<database>/<schema>.<table>/<partition>/part-*.parquet
"""
