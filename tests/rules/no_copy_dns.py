"""The cases of VTC-NO-COPY-DNS (policies/rules/no_copy_dns.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_route53resolver as resolver

from tests.rules._common import case


def dns_firewall(s, vpc, *, last_action="BLOCK", last_domains=("*",), allow_domains=("*.eu-west-1.amazonaws.com",)):
    allowed = resolver.CfnFirewallDomainList(s, "Allowed", name="allowed", domains=list(allow_domains))
    last = resolver.CfnFirewallDomainList(s, "Last", name="last", domains=list(last_domains))
    group = resolver.CfnFirewallRuleGroup(
        s,
        "Rules",
        firewall_rules=[
            resolver.CfnFirewallRuleGroup.FirewallRuleProperty(
                action="ALLOW", firewall_domain_list_id=allowed.attr_id, priority=100
            ),
            resolver.CfnFirewallRuleGroup.FirewallRuleProperty(
                action=last_action,
                block_response="NXDOMAIN" if last_action == "BLOCK" else None,
                firewall_domain_list_id=last.attr_id,
                priority=200,
            ),
        ],
    )
    resolver.CfnFirewallRuleGroupAssociation(
        s, "Association", firewall_rule_group_id=group.attr_id, vpc_id=vpc.ref, priority=101
    )


@case("VTC-NO-COPY-DNS", False)
def dns_blocks_everything_else(s):
    dns_firewall(s, ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16"))


@case("VTC-NO-COPY-DNS", True)
def dns_vpc_without_firewall(s):
    ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16")


@case("VTC-NO-COPY-DNS", True)
def dns_firewall_on_another_vpc(s):
    ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16")
    dns_firewall(s, ec2.CfnVPC(s, "Other", cidr_block="10.1.0.0/16"))


@case("VTC-NO-COPY-DNS", True)
def dns_last_rule_allows(s):
    dns_firewall(s, ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16"), last_action="ALLOW")


@case("VTC-NO-COPY-DNS", True)
def dns_blocks_only_one_domain(s):
    dns_firewall(s, ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16"), last_domains=("attacker.example",))


@case("VTC-NO-COPY-DNS", True)
def dns_allows_everything_first(s):
    dns_firewall(s, ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16"), allow_domains=("*",))


@case("VTC-NO-COPY-DNS", True)
def dns_fails_open(s):
    vpc = ec2.CfnVPC(s, "Vpc", cidr_block="10.0.0.0/16")
    dns_firewall(s, vpc)
    cdk.CfnResource(
        s,
        "FailOpen",
        type="AWS::Route53Resolver::FirewallConfig",
        properties={"ResourceId": vpc.ref, "FirewallFailOpen": "ENABLED"},
    )
