"""The cases of VTC-AUDIT-TRAIL-FLOW-LOGS (policies/rules/audit_trail_flow_logs.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from tests.rules._common import case, vpc_with_flow_log


@case("VTC-AUDIT-TRAIL-FLOW-LOGS", False)
def flow_logs_all_traffic(s):
    vpc_with_flow_log(s)


@case("VTC-AUDIT-TRAIL-FLOW-LOGS", True)
def flow_logs_missing(s):
    vpc_with_flow_log(s, flow_log=False)


@case("VTC-AUDIT-TRAIL-FLOW-LOGS", True)
def flow_logs_rejected_traffic_only(s):
    vpc_with_flow_log(s, traffic_type="REJECT")
