"""The database and its backups: instance hours, storage (as allocated and at its ceiling),
recovery points, copies in each destination region, the transfer of copies, restore tests."""

from __future__ import annotations

from typing import Any

from tools.cost.assembly import StackTemplate
from tools.cost.model import Line, PriceContext
from tools.cost.tables import CostError
from tools.cost.values import DAYS_PER_MONTH, assumed, num, priced, render, runs_per_month, where

# Databases and their backups -------------------------------------------------------------------


def rds_instance(ctx: PriceContext, stack: StackTemplate, lid: str, r: dict[str, Any]) -> list[Line]:
    """Instance hours (Multi-AZ: the standby too, x2) and storage as allocated and at its ceiling."""
    p = r.get("Properties", {})
    cls = str(p.get("DBInstanceClass"))
    copies = 2 if str(p.get("MultiAZ")).lower() == "true" else 1
    az = " Multi-AZ (x2)" if copies == 2 else ""
    storage_type = str(p.get("StorageType", "io1" if "Iops" in p else "gp2"))
    allocated, ceiling = _storage_gb(p, stack, lid)
    hours = ctx.assumptions["hours_per_month"]
    lines = [
        priced(
            ctx,
            stack,
            lid,
            f"rds_instance_hour.{cls}",
            service="RDS",
            item=f"instance {cls}{az}",
            quantity=hours * copies,
            unit="instance-hours",
            assumptions=("hours_per_month",),
        ),
        priced(
            ctx,
            stack,
            lid,
            f"rds_storage_{storage_type}_gb_month",
            service="RDS",
            item=f"storage {storage_type}{az}, {allocated:g} GB (ceiling {ceiling:g} GB)",
            quantity=allocated * copies,
            ceiling_quantity=ceiling * copies,
            unit="GB-months",
        ),
    ]
    return lines + _rds_extras(ctx, stack, lid, p)


def _storage_gb(p: dict[str, Any], stack: StackTemplate, lid: str) -> tuple[float, float]:
    """An instance's storage as allocated and at its ceiling (MaxAllocatedStorage, else the same)."""
    allocated = num(p.get("AllocatedStorage"), "AllocatedStorage", stack, lid)
    return allocated, num(p.get("MaxAllocatedStorage", allocated), "MaxAllocatedStorage", stack, lid)


def _rds_extras(ctx: PriceContext, stack: StackTemplate, lid: str, p: dict[str, Any]) -> list[Line]:
    """What RDS creates outside the template: the managed master-user secret (Secrets Manager) and
    the enhanced-monitoring log stream (RDSOSMetrics, CloudWatch Logs). Automated backups
    (BackupRetentionPeriod) are free up to the allocated storage, and Performance Insights is free
    at 7 days' retention: neither is a line."""
    lines = []
    if str(p.get("ManageMasterUserPassword")).lower() == "true":
        lines.append(
            priced(
                ctx,
                stack,
                lid,
                "secret_month",
                service="Secrets Manager",
                item="secrets",
                quantity=1,
                unit="secret-months",
            )
        )
    if num(p.get("MonitoringInterval", 0), "MonitoringInterval", stack, lid) > 0:
        lines.append(
            assumed(
                ctx,
                stack,
                lid,
                "logs_ingest_gb",
                "enhanced_monitoring_gb_per_month",
                service="CloudWatch Logs",
                item="ingestion (RDS enhanced monitoring)",
                unit="GB",
            )
        )
    retention = num(p.get("PerformanceInsightsRetentionPeriod", 7), "PerformanceInsightsRetentionPeriod", stack, lid)
    if str(p.get("EnablePerformanceInsights")).lower() == "true" and retention > 7:
        raise CostError(
            f"cost error: {where(stack, lid)} keeps Performance Insights {retention:g} days: "
            "the estimate prices only the free 7 days"
        )
    return lines


def _recovery_point_gb(ctx: PriceContext) -> tuple[float, float]:
    """One recovery point of the environment's databases: allocated storage (and at the ceiling)
    times the assumed fraction."""
    fraction = ctx.assumptions["recovery_point_fraction"]
    size = ceiling = 0.0
    for stack, lid, r in ctx.of_type("AWS::RDS::DBInstance"):
        allocated, at_ceiling = _storage_gb(r.get("Properties", {}), stack, lid)
        size += allocated * fraction
        ceiling += at_ceiling * fraction
    return size, ceiling


def _vault_region(arn: Any, stack: StackTemplate, lid: str) -> str:
    parts = render(arn, stack).split(":")
    if len(parts) < 4 or parts[3] in ("", "?"):
        raise CostError(f"cost error: copy destination {arn!r} of {where(stack, lid)}: its region cannot be read")
    return parts[3]


def backup_plan(ctx: PriceContext, stack: StackTemplate, lid: str, r: dict[str, Any]) -> list[Line]:
    """Recovery points kept per rule (generations), their copies in each destination's region
    (copy retention), and the transfer of each copy that leaves the region."""
    size, ceiling = _recovery_point_gb(ctx)

    def points(key: str, times: float, region: str | None = None, **kw: Any) -> Line:
        """`times` one recovery point of the databases, as it is and at the storage ceiling."""
        return priced(
            ctx,
            stack,
            lid,
            key,
            region=region,
            quantity=times * size,
            ceiling_quantity=times * ceiling,
            assumptions=("recovery_point_fraction",),
            **kw,
        )

    def kept(action: dict[str, Any], what: str, runs: float) -> float:
        """How many recovery points a rule or copy action keeps at once: the days each is kept x the runs a day."""
        return num(action.get("Lifecycle", {}).get("DeleteAfterDays"), what, stack, lid) * runs / DAYS_PER_MONTH

    lines = []
    for rule in r.get("Properties", {}).get("BackupPlan", {}).get("BackupPlanRule", []):
        runs = runs_per_month(rule.get("ScheduleExpression"), stack, lid)
        generations = kept(rule, "DeleteAfterDays", runs)
        item = f"recovery points: {generations:.4g} generations x {size:g} GB"
        lines.append(points("backup_rds_gb_month", generations, service="AWS Backup", item=item, unit="GB-months"))
        for copy in rule.get("CopyActions", []):
            region = _vault_region(copy.get("DestinationBackupVaultArn"), stack, lid)
            copies = kept(copy, "copy DeleteAfterDays", runs)
            item = f"copies in {region}: {copies:.4g} kept x {size:g} GB"
            lines.append(
                points("backup_rds_gb_month", copies, region, service="AWS Backup", item=item, unit="GB-months")
            )
            if region != stack.region:
                item = f"copies {stack.region} -> {region}: {runs:.4g} a month x {size:g} GB"
                lines.append(points("transfer_inter_region_gb", runs, service="Data transfer", item=item, unit="GB"))
    return lines


def restore_testing(ctx: PriceContext, stack: StackTemplate, lid: str, r: dict[str, Any]) -> list[Line]:
    """Each restore test runs a restored instance of the source's class for a while."""
    runs = runs_per_month(r.get("Properties", {}).get("ScheduleExpression"), stack, lid)
    hours = ctx.assumptions["restore_test_hours"]
    lines = []
    for db_stack, _, db in ctx.of_type("AWS::RDS::DBInstance"):
        cls = str(db.get("Properties", {}).get("DBInstanceClass"))
        lines.append(
            priced(
                ctx,
                stack,
                lid,
                f"rds_instance_hour.{cls}",
                region=db_stack.region,
                service="AWS Backup",
                item=f"restore tests: {runs:.3g} a month x {hours:g} h {cls}",
                quantity=runs * hours,
                unit="instance-hours",
                assumptions=("restore_test_hours",),
            )
        )
    return lines
