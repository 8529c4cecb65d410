"""The cases of VTC-SEC-STORAGE (policies/rules/sec_storage.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from aws_cdk import aws_s3 as s3

from tests.rules._common import case, database


@case("VTC-SEC-STORAGE", False)
def tls_bucket_enforce_ssl(s):
    s3.Bucket(s, "B", enforce_ssl=True)


@case("VTC-SEC-STORAGE", True)
def tls_bucket_without_policy(s):
    s3.Bucket(s, "B")


@case("VTC-SEC-STORAGE", False)
def tls_database_force_ssl(s):
    database(s)


@case("VTC-SEC-STORAGE", True)
def tls_database_default_parameter_group(s):
    database(s, db_parameter_group_name=None)


@case("VTC-SEC-STORAGE", True)
def tls_database_parameter_group_by_name(s):
    database(s, db_parameter_group_name="default.postgres17")
