"""Recovery and exit drills of the LED.

VTC-BACKUP-ENVIRONMENT (§40): `restore.RestoreValidation` checks every database that AWS Backup
restore testing restores (tables, row counts, newest record) and reports it to AWS Backup; a
failure raises the restore-test alarm.
VTC-EXIT (§42-43): `exit.ExitBucket` and `exit.ExitDrill` export the latest snapshot, on a
schedule, in Parquet (an open format) to a bucket that a second partner can read, so that the LED
is never held hostage by one provider.
Both run where `placement.DrillPlacement` says and report to its `placement.OperationsTopic`.
"""
