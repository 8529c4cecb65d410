"""Construct metadata keys: what the constructs write into the templates and the cloud assembly,
and what the rules, the gate and the report read back. One spelling each."""

from __future__ import annotations

# On every resource implementing a VTC condition: the condition ids it serves (VTC-POLICIES-VISIBLE).
METADATA_CONDITIONS = "led:vtc-conditions"
# On the managed policy that is a permissions boundary (VTC-LEAST-PRIVILEGE-BOUNDARY).
METADATA_BOUNDARY = "led:permissions-boundary"
# On a key whose material rotates: the period it declares, in days (VTC-KEY-REENCRYPT).
METADATA_ROTATION_PERIOD = "led:rotation-period-days"
# In the cloud assembly's manifests: one entry per acknowledgement made (VTC-RISK-ACCEPTED).
METADATA_ACCEPTED_RISK = "led:accepted-risk"
