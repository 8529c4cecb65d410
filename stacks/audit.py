"""The audit of the workload account: trail, alarms and AWS Config (VTC-AUDIT-TRAIL §11, §49;
VTC-REGULAR-AUDIT §11, §24-27; VTC-LOGS-DIRECT §27).

- CloudTrail, all regions, every management event, delivered to the locked log archive of AHOVOKS
  and copied to CloudWatch Logs for the alarms (cdk_constructs/audit_trail.py).
- Metric filters and alarms on what must never happen unnoticed, to a topic under the FB log key
  (cdk_constructs/security_alarms.py).
- AWS Config records every resource and re-checks every day what the VTC pack checks at synthesis:
  the regular internal security audit of §11/§27, with its evidence in the log archive
  (cdk_constructs/config_audit.py, cdk_constructs/audit_rules.py).
"""

from __future__ import annotations

from aws_cdk import CfnOutput
from constructs import Construct

from cdk_constructs.audit_trail import AuditTrail, AuditTrailProps
from cdk_constructs.config_audit import ConfigAudit, ConfigAuditProps
from cdk_constructs.security_alarms import SecurityAlarms, SecurityAlarmsProps
from config import EnvironmentConfig
from stacks.workload import _WorkloadStack, boundary_name, retention


class AuditStack(_WorkloadStack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        data_tier_security_group_id: str,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, config=config, **kwargs)
        cfg = config
        log_key = self.fb_key("LogKey", cfg.key_arn("log"))
        # The trail, the alarms and AWS Config were deployed as children of this stack, and their
        # resources are named: each part is a "Default", which CDK leaves out of logical ids, so
        # they keep theirs. A scope has one Default only, hence the chain: the alarms under the
        # trail whose copy they read, AWS Config under the alarms.
        self.audit_trail = AuditTrail(
            self,
            "Default",
            AuditTrailProps(config=cfg, log_key=log_key, log_retention=retention(cfg.logs.retention_days)),
        )
        self.trail = self.audit_trail.trail
        CfnOutput(
            self,
            "TrailArn",
            value=self.trail.attr_arn,
            description=f"The LED audit trail, delivered to the log archive bucket {cfg.log_archive_bucket_name}",
        )
        self.security_alarms = SecurityAlarms(
            self.audit_trail,
            "Default",
            SecurityAlarmsProps(
                config=cfg,
                log_key=log_key,
                trail_log_group=self.audit_trail.log_group,
                data_tier_security_group_id=data_tier_security_group_id,
            ),
        )
        self.config_audit = ConfigAudit(
            self.security_alarms, "Default", ConfigAuditProps(config=cfg, boundary_name=boundary_name(cfg))
        )
