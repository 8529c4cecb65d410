"""The roles of the workload account: one per party and purpose (VTC-PROCESSOR §14-15, §27, §34;
VTC-LEAST-PRIVILEGE, conclusion; VTC-LOGS-DIRECT §27).

| role                          | party   | may                                              |
|-------------------------------|---------|--------------------------------------------------|
| led-<env>-app-runtime         | AHOVOKS | connect to the database as led_app (IAM auth)    |
| led-<env>-platform-operator   | Cronos  | restart the database, read stacks and metrics    |
| led-<env>-application-manager | AHOVOKS | read database logs, run the drills               |
| led-<env>-auditor             | AHOVOKS | read the trail, Config and the audit log groups  |
| led-<env>-break-glass         | AHOVOKS | repair the database, restore, bounded, one hour  |

The platform operator is a processor: its policy explicitly denies reading the database secret,
logging in to the database, using the FB keys and writing to or deleting from the log archive,
so a later allow (or a mistake in the boundary) cannot open them.

Deploying is a path to the data (design.md, "The deployment path"): whoever runs a change set
acts as the CDK bootstrap's CloudFormation execution role and can, for instance, change the
function that reads the master secret. So no human role deploys: the controller's (AHOVOKS')
delivery pipeline, named in the config's [deployment] table, is the only principal the bootstrap
roles trust (tools/bootstrap/), and the operator proposes changes by pull request. Every human
role explicitly denies assuming the bootstrap roles (cdk-*) and every CloudFormation write action
(DEPLOYMENT_DENIED_* of contract/operator.py, VTC-PROCESSOR-DEPLOY), so that no later allow
reopens the path; reading the stacks (describe, template, events) stays.

The roles themselves, their statements and accepted findings, are the constructs of
cdk_constructs/workload_roles.py and cdk_constructs/application_manager.py.
"""

from __future__ import annotations

from constructs import Construct

from cdk_constructs.application_manager import ApplicationManagerRole
from cdk_constructs.workload_roles import (
    AppRuntimeRole,
    AuditorRole,
    BreakGlassRole,
    PlatformOperatorRole,
    WorkloadTargets,
)
from config import EnvironmentConfig
from contract.names import trail_name
from stacks.workload import _WorkloadStack


def role_names(config: EnvironmentConfig) -> dict[str, str]:
    return {
        purpose: config.resource_name(purpose)
        for purpose in ("app-runtime", "platform-operator", "application-manager", "auditor", "break-glass")
    }


class AccessStack(_WorkloadStack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, database_resource_id: str, **kwargs
    ) -> None:
        super().__init__(scope, construct_id, config=config, **kwargs)
        targets = WorkloadTargets(
            config=config,
            database_resource_id=database_resource_id,
            log_archive_bucket=config.log_archive_bucket_name,
            trail_name=trail_name(config),
        )
        self.app_runtime = AppRuntimeRole(self, "AppRuntime", targets=targets)
        self.platform_operator = PlatformOperatorRole(self, "PlatformOperator", targets=targets)
        self.application_manager = ApplicationManagerRole(self, "ApplicationManager", targets=targets)
        self.auditor = AuditorRole(self, "Auditor", targets=targets)
        self.break_glass = BreakGlassRole(self, "BreakGlass", targets=targets)
