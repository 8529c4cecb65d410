"""Keys, interface endpoints, CloudTrail, Lambda, CloudWatch Logs, the DNS Firewall and
the resources billed per month or by one assumed volume."""

from __future__ import annotations

from typing import Any

from tools.cost.assembly import StackTemplate
from tools.cost.model import Line, PriceContext
from tools.cost.tables import CostError
from tools.cost.values import DAYS_PER_MONTH, Pricer, assumed, num, priced, refs, where

# Keys, network, audit ----------------------------------------------------------------------------


def kms_key(ctx: PriceContext, stack: StackTemplate, lid: str, r: dict[str, Any]) -> list[Line]:
    return [
        priced(ctx, stack, lid, "kms_key_month", service="KMS", item="keys", quantity=1, unit="key-months"),
        assumed(
            ctx,
            stack,
            lid,
            "kms_requests_10k",
            "kms_requests_per_key",
            per=10_000,
            service="KMS",
            item="requests",
            unit="10k requests",
        ),
    ]


def vpc_endpoint(ctx: PriceContext, stack: StackTemplate, lid: str, r: dict[str, Any]) -> list[Line]:
    """Interface endpoints: hours x AZs (one subnet per AZ) and data processed; gateway endpoints
    (the CloudFormation default type) are free."""
    p = r.get("Properties", {})
    if p.get("VpcEndpointType", "Gateway") != "Interface":
        return []
    subnets = p.get("SubnetIds")
    if not isinstance(subnets, list) or not subnets:
        raise CostError(f"cost error: interface endpoint {where(stack, lid)} has no literal SubnetIds list (its AZs)")
    hours = ctx.assumptions["hours_per_month"]
    return [
        priced(
            ctx,
            stack,
            lid,
            "vpce_interface_az_hour",
            service="VPC endpoints",
            item="interface endpoints (x AZs)",
            quantity=len(subnets) * hours,
            unit="endpoint-AZ-hours",
            assumptions=("hours_per_month",),
        ),
        assumed(
            ctx,
            stack,
            lid,
            "vpce_data_gb",
            "endpoint_gb_per_month",
            service="VPC endpoints",
            item="data processed",
            unit="GB",
        ),
    ]


def _trail_categories(p: dict[str, Any]) -> set[str]:
    """'Data' and/or 'Management': what a trail records (no selector at all: management events)."""
    if advanced := p.get("AdvancedEventSelectors"):
        found = set()
        for selector in advanced:
            for field in selector.get("FieldSelectors", []):
                if field.get("Field") == "eventCategory":
                    found.update(field.get("Equals", []))
        return found
    selectors = p.get("EventSelectors") or [{}]
    found = {"Data"} if any(s.get("DataResources") for s in selectors) else set()
    if any(str(s.get("IncludeManagementEvents", True)).lower() == "true" for s in selectors):
        found.add("Management")
    return found


def cloudtrail(ctx: PriceContext, stack: StackTemplate, lid: str, r: dict[str, Any]) -> list[Line]:
    """Data events; management events only for a second trail in the same account and region."""
    categories = _trail_categories(r.get("Properties", {}))
    lines = []
    if "Data" in categories:
        lines.append(
            assumed(
                ctx,
                stack,
                lid,
                "cloudtrail_data_events_100k",
                "cloudtrail_data_events_per_month",
                per=100_000,
                service="CloudTrail",
                item="data events",
                unit="100k events",
            )
        )
    if "Management" in categories:
        same_place = sorted(
            (s.name, other)
            for s, other, t in ctx.of_type("AWS::CloudTrail::Trail")
            if (s.account, s.region) == (stack.account, stack.region)
            and "Management" in _trail_categories(t.get("Properties", {}))
        )
        if same_place[0] != (stack.name, lid):
            lines.append(
                assumed(
                    ctx,
                    stack,
                    lid,
                    "cloudtrail_management_copy_100k",
                    "cloudtrail_management_events_per_month",
                    per=100_000,
                    service="CloudTrail",
                    item="management events, additional copy",
                    unit="100k events",
                )
            )
    return lines


# Compute and logs ---------------------------------------------------------------------------------


def lambda_function(ctx: PriceContext, stack: StackTemplate, lid: str, r: dict[str, Any]) -> list[Line]:
    """Requests, and GB-seconds from the function's memory (MemorySize, default 128 MB)."""
    p = r.get("Properties", {})
    memory_gb = num(p.get("MemorySize", 128), "MemorySize", stack, lid) / 1024
    arch = str((p.get("Architectures") or ["x86_64"])[0])
    calls = ctx.assumptions["lambda_invocations_per_month"]
    seconds = ctx.assumptions["lambda_seconds_per_invocation"]
    return [
        assumed(
            ctx,
            stack,
            lid,
            "lambda_requests_million",
            "lambda_invocations_per_month",
            per=1e6,
            service="Lambda",
            item="requests",
            unit="million requests",
        ),
        priced(
            ctx,
            stack,
            lid,
            f"lambda_{arch}_gb_second",
            service="Lambda",
            item=f"compute ({arch})",
            quantity=memory_gb * seconds * calls,
            unit="GB-seconds",
            assumptions=("lambda_invocations_per_month", "lambda_seconds_per_invocation"),
        ),
    ]


def _log_kind(stack: StackTemplate, lid: str) -> str:
    """Which assumption gives a log group's volume: what writes to it (flow logs, DNS query logs,
    the database's log exports: pgaudit's records are in the postgresql log)."""
    name = stack.resources[lid].get("Properties", {}).get("LogGroupName")
    if isinstance(name, str) and name.startswith("/aws/rds/"):
        return "database_log_gb_per_month"
    for other in stack.resources.values():
        p = other.get("Properties", {})
        if other.get("Type") == "AWS::EC2::FlowLog" and lid in refs([p.get("LogGroupName"), p.get("LogDestination")]):
            return "flow_log_gb_per_month"
        if other.get("Type") == "AWS::Route53Resolver::ResolverQueryLoggingConfig" and lid in refs(
            p.get("DestinationArn")
        ):
            return "dns_query_log_gb_per_month"
    return "log_gb_per_month"


_LOG_LABELS = {
    "flow_log_gb_per_month": "flow logs",
    "dns_query_log_gb_per_month": "DNS query logs",
    "database_log_gb_per_month": "database logs",
}


def log_group(ctx: PriceContext, stack: StackTemplate, lid: str, r: dict[str, Any]) -> list[Line]:
    """Ingestion, and storage at steady state: a month's volume held for the retention period."""
    kind = _log_kind(stack, lid)
    gb = ctx.assumptions[kind]
    retention = r.get("Properties", {}).get("RetentionInDays")
    held: tuple[str, ...]
    if retention is None:
        months, held = ctx.assumptions["log_months_never_expiring"], ("log_months_never_expiring",)
    else:
        months, held = num(retention, "RetentionInDays", stack, lid) / DAYS_PER_MONTH, ()
    label = _LOG_LABELS.get(kind, "other logs")
    return [
        assumed(
            ctx, stack, lid, "logs_ingest_gb", kind, service="CloudWatch Logs", item=f"ingestion ({label})", unit="GB"
        ),
        priced(
            ctx,
            stack,
            lid,
            "logs_storage_gb_month",
            service="CloudWatch Logs",
            item=f"storage ({label})",
            quantity=gb * months,
            unit="GB-months",
            assumptions=(kind, *held),
        ),
    ]


def dns_domain_list(ctx: PriceContext, stack: StackTemplate, lid: str, r: dict[str, Any]) -> list[Line]:
    domains = r.get("Properties", {}).get("Domains")
    if not isinstance(domains, list):
        raise CostError(f"cost error: DNS Firewall domain list {where(stack, lid)} has no literal Domains list")
    return [
        priced(
            ctx,
            stack,
            lid,
            "dnsfw_domain_month",
            service="Route 53 Resolver",
            item="DNS Firewall domains",
            quantity=len(domains),
            unit="domain-months",
        )
    ]


def dns_firewall_association(ctx: PriceContext, stack: StackTemplate, lid: str, r: dict[str, Any]) -> list[Line]:
    return [
        assumed(
            ctx,
            stack,
            lid,
            "dnsfw_queries_million",
            "dns_queries_per_month",
            per=1e6,
            service="Route 53 Resolver",
            item="DNS Firewall queries",
            unit="million queries",
        )
    ]


def fixed(service: str, item: str, key: str, unit: str, assumption: str | None = None) -> Pricer:
    """A resource billed per month (quantity 1) or by one assumed volume."""

    def price(ctx: PriceContext, stack: StackTemplate, lid: str, r: dict[str, Any]) -> list[Line]:
        if assumption:
            return [assumed(ctx, stack, lid, key, assumption, service=service, item=item, unit=unit)]
        return [priced(ctx, stack, lid, key, service=service, item=item, quantity=1.0, unit=unit)]

    return price
