"""VTC-NO-COPY (§49): no public access to the data: no public database, no public bucket, no
data port open to the internet, no internet route from the data tier."""

from __future__ import annotations

from collections.abc import Iterator

from policies.model import Resource, Result, fail, verdict
from policies.spec import RuleSpec
from policies.values import Rendered, as_bool, as_int, as_list, references, render, target_of

RESOURCE_TYPES = (
    "AWS::RDS::DBInstance",
    "AWS::S3::Bucket",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::Route",
)

DATA_PORTS = (5432, 3306, 1433, 1521, 27017, 6379, 11211, 9200, 9300, 5439, 8182, 2049, 9042, 50000)
_PAB = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
_OPEN = ("0.0.0.0/0", "::/0")


def _cidrs(rule: dict, res: Resource) -> Iterator[tuple[str, Rendered]]:
    """The IPv4 and IPv6 ranges a security group rule sets, rendered (both rule directions read them)."""
    for key in ("CidrIp", "CidrIpv6"):
        value = rule.get(key)
        if value is not None:
            yield key, render(value, res.stack, res.app)


def _ingress_problem(rule: dict, res: Resource) -> str | None:
    for key, text in _cidrs(rule, res):
        if not text.decided:
            return f"{key} cannot be read ({text.why()}) (fails closed)"
        if text.text not in _OPEN:
            continue
        protocol = str(rule.get("IpProtocol", ""))
        if protocol in ("-1", "all"):
            return f"all traffic open to {text.text}"
        low, high = as_int(rule.get("FromPort")), as_int(rule.get("ToPort"))
        if low is None or high is None:
            return f"ports {rule.get('FromPort')!r}-{rule.get('ToPort')!r} open to {text.text} cannot be read"
        ports = [p for p in DATA_PORTS if low <= p <= high] if low >= 0 else list(DATA_PORTS)
        if ports:
            return f"data port(s) {', '.join(map(str, ports))} open to {text.text}"
    return None


def _egress_problem(rule: dict, res: Resource) -> str | None:
    """Egress is limited (§49): nothing may leave for the whole internet."""
    for key, text in _cidrs(rule, res):
        if not text.decided:
            return f"egress {key} cannot be read ({text.why()}) (fails closed)"
        if text.text in _OPEN:
            return f"egress open to {text.text}: data could be copied anywhere"
    return None


def _data_subnets(res: Resource) -> set[tuple[int, str]]:
    subnets = set()
    for group in res.app.resources("AWS::RDS::DBSubnetGroup", stage=res.stack.stage):
        for t in references(group.props.get("SubnetIds"), group.stack, group.app):
            subnets.add((id(t.stack), t.logical_id))
    for subnet in res.app.resources("AWS::EC2::Subnet", stage=res.stack.stage):
        if subnet.tag("aws-cdk:subnet-name") == "data":
            subnets.add((id(subnet.stack), subnet.logical_id))
    return subnets


def _route(res: Resource) -> Result:
    p = res.props
    gateway = p.get("GatewayId")
    internet = p.get("EgressOnlyInternetGatewayId") is not None
    if gateway is not None:
        target = target_of(gateway, res.stack, res.app)
        if target is not None:
            internet = internet or target.type == "AWS::EC2::InternetGateway"
        else:
            text = render(gateway, res.stack, res.app)
            if not text.decided:
                return fail(f"GatewayId cannot be read ({text.why()}) (fails closed)")
            internet = internet or text.text.startswith("igw-")
    if not internet:
        return verdict([])
    table = target_of(p.get("RouteTableId"), res.stack, res.app)
    if table is None:
        return fail("a route to an internet gateway in a route table that cannot be identified (fails closed)")
    data = _data_subnets(res)
    for assoc in res.app.resources("AWS::EC2::SubnetRouteTableAssociation", stage=res.stack.stage):
        rt = target_of(assoc.props.get("RouteTableId"), assoc.stack, assoc.app)
        subnet = target_of(assoc.props.get("SubnetId"), assoc.stack, assoc.app)
        if (
            rt
            and subnet
            and rt.stack is table.stack
            and rt.logical_id == table.logical_id
            and (id(subnet.stack), subnet.logical_id) in data
        ):
            return fail(f"a route to an internet gateway from data subnet {subnet.logical_id}")
    return verdict([])


def check(res: Resource) -> Result:
    p = res.props
    if res.type == "AWS::RDS::DBInstance":
        if as_bool(p.get("PubliclyAccessible")) is not False:
            return fail(f"PubliclyAccessible is {p.get('PubliclyAccessible')!r}; it must be set to false explicitly")
        return verdict([])
    if res.type == "AWS::S3::Bucket":
        block = p.get("PublicAccessBlockConfiguration")
        block = block if isinstance(block, dict) else {}
        off = [k for k in _PAB if as_bool(block.get(k)) is not True]
        return verdict([f"PublicAccessBlockConfiguration.{k} is not true" for k in off])
    if res.type == "AWS::EC2::Route":
        return _route(res)
    if res.type == "AWS::EC2::SecurityGroup":
        ingress, egress = as_list(p.get("SecurityGroupIngress")), as_list(p.get("SecurityGroupEgress"))
    else:
        ingress, egress = ([p], []) if res.type == "AWS::EC2::SecurityGroupIngress" else ([], [p])
    problems = [problem for rule in ingress if isinstance(rule, dict) and (problem := _ingress_problem(rule, res))]
    problems += [problem for rule in egress if isinstance(rule, dict) and (problem := _egress_problem(rule, res))]
    return verdict(problems)


RULE = RuleSpec(
    rule_id="VTC-NO-COPY",
    condition_id="VTC-NO-COPY",
    paragraph="§49",
    title="nothing makes the data reachable from the internet",
    trigger="an RDS instance not explicitly PubliclyAccessible=false, an S3 bucket without all four public "
    "access blocks, a security group opening a data port (or all traffic) to 0.0.0.0/0 or ::/0 or "
    "allowing egress to them, a route to an internet gateway from a data subnet",
    fix="keep the data tier in isolated subnets: publicly_accessible=False, BlockPublicAccess.BLOCK_ALL, "
    "ingress only from the application tier's security group, allow_all_outbound=False, no internet "
    "gateway",
    marks=(
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBSubnetGroup",
        "AWS::EC2::FlowLog",
        "AWS::EC2::VPC",
        "AWS::EC2::Subnet",
        "AWS::EC2::RouteTable",
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::SecurityGroupIngress",
        "AWS::EC2::SecurityGroupEgress",
        "AWS::EC2::VPCEndpoint",
        "AWS::S3::Bucket",
        "AWS::S3::BucketPolicy",
    ),
    resource_types=RESOURCE_TYPES,
    check=check,
    never_acknowledge=True,
)
