"""The cases of VTC-NO-COPY (policies/rules/no_copy.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3

from tests.rules._common import case, database


@case("VTC-NO-COPY", False)
def no_copy_private_database(s):
    database(s)


@case("VTC-NO-COPY", True)
def no_copy_public_database(s):
    database(s, publicly_accessible=True)


@case("VTC-NO-COPY", True)
def no_copy_bucket_without_public_access_block(s):
    s3.CfnBucket(s, "B")


@case("VTC-NO-COPY", False)
def no_copy_bucket_blocked(s):
    s3.Bucket(s, "B", block_public_access=s3.BlockPublicAccess.BLOCK_ALL)


@case("VTC-NO-COPY", True)
def no_copy_postgres_open_to_world(s):
    ec2.CfnSecurityGroup(
        s,
        "Sg",
        group_description="db",
        security_group_ingress=[
            ec2.CfnSecurityGroup.IngressProperty(ip_protocol="tcp", from_port=5432, to_port=5432, cidr_ip="0.0.0.0/0")
        ],
    )


@case("VTC-NO-COPY", True)
def no_copy_all_traffic_ipv6(s):
    ec2.CfnSecurityGroupIngress(s, "In", group_id="sg-12345678", ip_protocol="-1", cidr_ipv6="::/0")


@case("VTC-NO-COPY", False)
def no_copy_https_from_vpc(s):
    ec2.CfnSecurityGroupIngress(
        s, "In", group_id="sg-12345678", ip_protocol="tcp", from_port=443, to_port=443, cidr_ip="10.0.0.0/16"
    )


@case("VTC-NO-COPY", True)
def no_copy_internet_route_from_data_subnet(s):
    vpc = ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16")
    subnet = ec2.CfnSubnet(s, "Data", vpc_id=vpc.ref, cidr_block="10.0.1.0/24")
    rds.CfnDBSubnetGroup(s, "Group", db_subnet_group_description="d", subnet_ids=[subnet.ref])
    table = ec2.CfnRouteTable(s, "Rt", vpc_id=vpc.ref)
    ec2.CfnSubnetRouteTableAssociation(s, "Assoc", route_table_id=table.ref, subnet_id=subnet.ref)
    igw = ec2.CfnInternetGateway(s, "Igw")
    ec2.CfnRoute(s, "Out", route_table_id=table.ref, destination_cidr_block="0.0.0.0/0", gateway_id=igw.ref)


@case("VTC-NO-COPY", True)
def no_copy_cidr_from_parameter(s):
    cidr = cdk.CfnParameter(s, "Cidr", type="String")
    ec2.CfnSecurityGroupIngress(
        s, "In", group_id="sg-12345678", ip_protocol="tcp", from_port=5432, to_port=5432, cidr_ip=cidr.value_as_string
    )


@case("VTC-NO-COPY", True)
def no_copy_default_egress_to_internet(s):
    ec2.CfnSecurityGroup(
        s,
        "Sg",
        group_description="app",
        vpc_id="vpc-1",
        security_group_egress=[ec2.CfnSecurityGroup.EgressProperty(ip_protocol="-1", cidr_ip="0.0.0.0/0")],
    )


@case("VTC-NO-COPY", False)
def no_copy_egress_to_the_vpc_only(s):
    ec2.CfnSecurityGroupEgress(
        s, "Out", group_id="sg-12345678", ip_protocol="tcp", from_port=443, to_port=443, cidr_ip="10.0.0.0/16"
    )
