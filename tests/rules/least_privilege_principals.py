"""The cases of VTC-LEAST-PRIVILEGE-PRINCIPALS (policies/rules/least_privilege_principals.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_s3 as s3

from tests.rules._common import WORKLOAD, case, role


@case("VTC-LEAST-PRIVILEGE-PRINCIPALS", True)
def principals_trust_anybody(s):
    role(
        s,
        assume_role_policy_document={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
        },
    )


@case("VTC-LEAST-PRIVILEGE-PRINCIPALS", False)
def principals_endpoint_narrowed(s):
    ec2.CfnVPCEndpoint(
        s,
        "E",
        vpc_id="vpc-1",
        service_name="com.amazonaws.eu-west-1.s3",
        policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalAccount": WORKLOAD}},
                }
            ],
        },
    )


@case("VTC-LEAST-PRIVILEGE-PRINCIPALS", True)
def principals_bucket_policy_public(s):
    bucket = s3.CfnBucket(s, "B")
    s3.CfnBucketPolicy(
        s,
        "P",
        bucket=bucket.ref,
        policy_document={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}],
        },
    )
