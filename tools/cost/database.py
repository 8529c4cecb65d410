"""The database and its backups: instance hours, storage (as allocated and at its ceiling),
recovery points, copies in each destination region, the transfer of copies, restore tests."""

from __future__ import annotations

from typing import Any

from tools.cost.assembly import StackTemplate
from tools.cost.model import Line, PriceContext
from tools.cost.tables import CostError
from tools.cost.values import DAYS_PER_MONTH, num, priced, render, runs_per_month, where

# Databases and their backups -------------------------------------------------------------------


def rds_instance(ctx: PriceContext, stack: StackTemplate, lid: str, r: dict[str, Any]) -> list[Line]:
    """Instance hours (Multi-AZ: the standby too, x2) and storage as allocated and at its ceiling."""
    p = r.get("Properties", {})
    cls = str(p.get("DBInstanceClass"))
    copies = 2 if str(p.get("MultiAZ")).lower() == "true" else 1
    az = " Multi-AZ (x2)" if copies == 2 else ""
    storage_type = str(p.get("StorageType", "io1" if "Iops" in p else "gp2"))
    allocated = num(p.get("AllocatedStorage"), "AllocatedStorage", stack, lid)
    ceiling = num(p.get("MaxAllocatedStorage", allocated), "MaxAllocatedStorage", stack, lid)
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
            priced(
                ctx,
                stack,
                lid,
                "logs_ingest_gb",
                service="CloudWatch Logs",
                item="ingestion (RDS enhanced monitoring)",
                quantity=ctx.assumptions["enhanced_monitoring_gb_per_month"],
                unit="GB",
                assumptions=("enhanced_monitoring_gb_per_month",),
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
        p = r.get("Properties", {})
        allocated = num(p.get("AllocatedStorage"), "AllocatedStorage", stack, lid)
        size += allocated * fraction
        ceiling += num(p.get("MaxAllocatedStorage", allocated), "MaxAllocatedStorage", stack, lid) * fraction
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
    lines = []
    common = ("recovery_point_fraction",)
    for rule in r.get("Properties", {}).get("BackupPlan", {}).get("BackupPlanRule", []):
        runs = runs_per_month(rule.get("ScheduleExpression"), stack, lid)
        days = num(rule.get("Lifecycle", {}).get("DeleteAfterDays"), "DeleteAfterDays", stack, lid)
        points = days * runs / DAYS_PER_MONTH
        lines.append(
            priced(
                ctx,
                stack,
                lid,
                "backup_rds_gb_month",
                service="AWS Backup",
                item=f"recovery points: {points:.4g} generations x {size:g} GB",
                quantity=points * size,
                ceiling_quantity=points * ceiling,
                unit="GB-months",
                assumptions=common,
            )
        )
        for copy in rule.get("CopyActions", []):
            region = _vault_region(copy.get("DestinationBackupVaultArn"), stack, lid)
            kept = (
                num(copy.get("Lifecycle", {}).get("DeleteAfterDays"), "copy DeleteAfterDays", stack, lid)
                * runs
                / DAYS_PER_MONTH
            )
            lines.append(
                priced(
                    ctx,
                    stack,
                    lid,
                    "backup_rds_gb_month",
                    region=region,
                    service="AWS Backup",
                    item=f"copies in {region}: {kept:.4g} kept x {size:g} GB",
                    quantity=kept * size,
                    ceiling_quantity=kept * ceiling,
                    unit="GB-months",
                    assumptions=common,
                )
            )
            if region != stack.region:
                lines.append(
                    priced(
                        ctx,
                        stack,
                        lid,
                        "transfer_inter_region_gb",
                        service="Data transfer",
                        item=f"copies {stack.region} -> {region}: {runs:.4g} a month x {size:g} GB",
                        quantity=runs * size,
                        ceiling_quantity=runs * ceiling,
                        unit="GB",
                        assumptions=common,
                    )
                )
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
