"""VTC-NO-COPY-DNS (§49): no copy of the data leaves through DNS queries.

A VPC without any route out still reaches the internet through the Amazon-provided resolver: a
query for <data>.attacker.example is answered by the attacker's name server (DNS tunnelling). So
every VPC needs a Route 53 Resolver DNS Firewall rule group association (in its account and
region) whose rule group ends, as its last rule (highest priority number), with a BLOCK of `*`;
no rule group associated with the VPC may ALLOW `*`, and no FirewallConfig may make the firewall
fail open.
"""

from __future__ import annotations

from policies.graph import same_place
from policies.model import Resource, Result, fail, verdict
from policies.spec import RuleSpec
from policies.values import as_int, as_list, target_of

RESOURCE_TYPES = ("AWS::EC2::VPC",)


def _points_at(value: object, res: Resource, target: Resource) -> bool:
    t = target_of(value, res.stack, res.app)
    return t is not None and target.is_same(t.stack, t.logical_id)


def _domains(value: object, group: Resource) -> list[str] | None:
    """The domains of a rule's domain list, None when the list is no list of this app."""
    t = target_of(value, group.stack, group.app)
    if t is None or t.type != "AWS::Route53Resolver::FirewallDomainList" or t.resource is None:
        return None
    return [d for d in as_list((t.resource.get("Properties") or {}).get("Domains")) if isinstance(d, str)]


def _read_group(group: Resource) -> tuple[list[str], str | None]:
    """(rules allowing every name, why the group does not end with a BLOCK of '*' or None)."""
    rules = [r for r in as_list(group.props.get("FirewallRules")) if isinstance(r, dict)]
    name = f"rule group {group.logical_id}"
    if not rules:
        return [], f"{name} has no rules"
    allows = []
    for rule in rules:
        domains = _domains(rule.get("FirewallDomainListId"), group)
        if rule.get("Action") == "ALLOW" and (domains is None or "*" in domains):
            allows.append(f"{name} allows {'every name' if domains else 'an unreadable domain list'}")
    priorities = [as_int(r.get("Priority")) for r in rules]
    known = [p for p in priorities if p is not None]
    if len(known) != len(priorities):
        return allows, f"{name} has a rule without a readable priority"
    last = rules[priorities.index(max(known))]
    domains = _domains(last.get("FirewallDomainListId"), group)
    if last.get("Action") != "BLOCK" or domains is None:
        return allows, f"{name} does not end with a BLOCK of a domain list of this app"
    if "*" not in domains:
        return allows, f"{name} ends with a BLOCK of {domains}, not of every other name ('*')"
    return allows, None


def check(res: Resource) -> Result:
    stage = res.stack.stage
    associations = [
        a
        for a in res.app.resources("AWS::Route53Resolver::FirewallRuleGroupAssociation", stage=stage)
        if same_place(a, res) and _points_at(a.props.get("VpcId"), a, res)
    ]
    if not associations:
        return fail("no DNS Firewall rule group is associated with this VPC: DNS queries can carry data out")
    problems: list[str] = []
    endings: list[str] = []
    blocking = False
    for association in associations:
        t = target_of(association.props.get("FirewallRuleGroupId"), association.stack, association.app)
        if t is None or t.type != "AWS::Route53Resolver::FirewallRuleGroup" or t.resource is None:
            endings.append(f"association {association.logical_id}: its rule group is no rule group of this app")
            continue
        allows, ending = _read_group(Resource(t.logical_id, t.resource, t.stack, res.app))
        problems += allows
        if ending is None:
            blocking = True
        else:
            endings.append(ending)
    if not blocking:
        problems.append(f"no associated rule group ends with a BLOCK of every other name ('*'): {'; '.join(endings)}")
    for config in res.app.resources("AWS::Route53Resolver::FirewallConfig", stage=stage):
        if (
            _points_at(config.props.get("ResourceId"), config, res)
            and config.props.get("FirewallFailOpen") != "DISABLED"
        ):
            problems.append(f"FirewallConfig {config.logical_id} lets DNS Firewall fail open")
    return verdict(problems)


RULE = RuleSpec(
    rule_id="VTC-NO-COPY-DNS",
    condition_id="VTC-NO-COPY",
    paragraph="§49",
    title="no data leaves the VPC through DNS queries",
    trigger="a VPC without a Route 53 Resolver DNS Firewall rule group association in its account and region "
    "whose rule group ends (highest priority number) with a BLOCK of '*'; an associated rule group "
    "allowing '*' or an unreadable domain list; a FirewallConfig letting the firewall fail open",
    fix="build DnsFirewall (cdk_constructs/network.py) on the VPC, as the network stack does",
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
