"""VTC-AUDIT-TRAIL (§49): every VPC records its traffic. Without flow logs nobody can tell later
which address talked to the database: a copy of the data leaving the network leaves no trace.

Compliant when an AWS::EC2::FlowLog of this app names the VPC (Ref, or its id behind an import)
with ResourceType VPC and TrafficType ALL (accepted and rejected traffic), and has a destination.
"""

from __future__ import annotations

from policies.model import Resource, Result, fail, verdict
from policies.spec import RuleSpec
from policies.values import target_of

RESOURCE_TYPES = ("AWS::EC2::VPC",)


def _names_this_vpc(flow_log: Resource, vpc: Resource) -> bool:
    target = target_of(flow_log.props.get("ResourceId"), flow_log.stack, flow_log.app)
    return target is not None and target.stack is vpc.stack and target.logical_id == vpc.logical_id


def check(res: Resource) -> Result:
    flow_logs = [f for f in res.app.resources("AWS::EC2::FlowLog") if _names_this_vpc(f, res)]
    if not flow_logs:
        return fail("no AWS::EC2::FlowLog of this app records the VPC (ResourceId: a Ref to it)")
    problems: list[str] = []
    for flow_log in flow_logs:
        p = flow_log.props
        found = []
        if p.get("ResourceType") != "VPC":
            found.append(f"flow log {flow_log.logical_id}: ResourceType {p.get('ResourceType')!r}, not 'VPC'")
        if p.get("TrafficType") != "ALL":
            found.append(
                f"flow log {flow_log.logical_id}: TrafficType {p.get('TrafficType')!r} records only part of "
                "the traffic; 'ALL' records accepted and rejected connections"
            )
        if not (p.get("LogGroupName") or p.get("LogDestination")):
            found.append(f"flow log {flow_log.logical_id}: no LogGroupName or LogDestination")
        if not found:
            return verdict([])
        problems.extend(found)
    return verdict(problems)


RULE = RuleSpec(
    rule_id="VTC-AUDIT-TRAIL-FLOW-LOGS",
    condition_id="VTC-AUDIT-TRAIL",
    paragraph="§49",
    title="every VPC records all its traffic in flow logs",
    trigger="an AWS::EC2::VPC that no AWS::EC2::FlowLog of the app names (ResourceType VPC), or whose flow "
    "logs record less than TrafficType ALL or have no destination",
    fix="use IsolatedNetwork (cdk_constructs/network.py): flow_logs with FlowLogTrafficType.ALL to a log group",
    resource_types=RESOURCE_TYPES,
    check=check,
)
