"""VTC-SEC-STORAGE (§11): TLS is enforced on the way to the data (S3 and RDS)."""

from __future__ import annotations

from policies.graph import is_cluster_member, parameter_group
from policies.iam import is_wildcard_principal, statements
from policies.model import NOT_APPLICABLE, Resource, Result, fail, verdict
from policies.spec import RuleSpec
from policies.values import as_bool, render, target_of

RESOURCE_TYPES = ("AWS::S3::Bucket", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster")


def _tls_parameter(engine: str) -> tuple[str, tuple[str, ...]] | None:
    engine = engine.lower()
    if "postgres" in engine or engine.startswith("sqlserver"):
        return "rds.force_ssl", ("1",)
    if "mysql" in engine or "mariadb" in engine:
        return "require_secure_transport", ("1", "ON", "on")
    return None


def _parameter_group(res: Resource) -> Result:
    engine = res.props.get("Engine")
    if not isinstance(engine, str):
        return fail(f"Engine {engine!r} cannot be read (fails closed)")
    wanted = _tls_parameter(engine)
    if wanted is None:
        return fail(f"engine {engine}: no known TLS-enforcing parameter (fails closed)")
    name, values = wanted
    group = parameter_group(res)
    if group.ref is None:
        return fail(f"no {group.prop}: the default parameter group does not force TLS; set {name} to {values[0]}")
    if group.logical_id is None:
        return fail(
            f"{group.prop} {render(group.ref, res.stack, res.app).text!r} is not a parameter group of this app, so "
            f"{name} cannot be checked (fails closed)"
        )
    value = group.parameters.get(name)
    if str(value) not in values:
        return fail(f"parameter group {group.logical_id} sets {name} to {value!r}; set it to {values[0]}")
    return verdict([])


def _denies_insecure_transport(doc: object, res: Resource) -> bool:
    sts, _ = statements(doc, res)
    for st in sts:
        if st.effect != "Deny" or not is_wildcard_principal(st.principal):
            continue
        if not any(a in ("*", "s3:*") for a in st.actions):
            continue
        cond = st.condition if isinstance(st.condition, dict) else {}
        bool_cond = cond.get("Bool") or {}
        if isinstance(bool_cond, dict) and as_bool(bool_cond.get("aws:SecureTransport")) is False:
            return True
    return False


def _bucket(res: Resource) -> Result:
    for policy in res.app.resources("AWS::S3::BucketPolicy"):
        bucket = policy.props.get("Bucket")
        target = target_of(bucket, policy.stack, policy.app)
        same = (target is not None and res.is_same(target.stack, target.logical_id)) or (
            isinstance(bucket, str) and bucket == res.props.get("BucketName")
        )
        if same and _denies_insecure_transport(policy.props.get("PolicyDocument"), policy):
            return verdict([])
    return fail("no bucket policy denies requests without TLS (Deny s3:* when aws:SecureTransport is false)")


def check(res: Resource) -> Result:
    if res.type == "AWS::S3::Bucket":
        return _bucket(res)
    if is_cluster_member(res):
        return NOT_APPLICABLE
    return _parameter_group(res)


RULE = RuleSpec(
    rule_id="VTC-SEC-STORAGE",
    condition_id="VTC-SEC-STORAGE",
    paragraph="§11",
    title="TLS is enforced on the way to the data",
    trigger="an S3 bucket without a policy denying requests when aws:SecureTransport is false; an RDS "
    "database whose parameter group does not set rds.force_ssl=1 (require_secure_transport for MySQL)",
    fix="enforce_ssl=True on buckets; a parameter group with rds.force_ssl=1",
    marks=(
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBParameterGroup",
        "AWS::RDS::DBSubnetGroup",
        "AWS::EC2::VPC",
        "AWS::EC2::Subnet",
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::SecurityGroupIngress",
        "AWS::EC2::SecurityGroupEgress",
        "AWS::SecretsManager::Secret",
        "AWS::S3::BucketPolicy",
    ),
    resource_types=RESOURCE_TYPES,
    check=check,
)
