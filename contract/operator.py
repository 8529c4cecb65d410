"""What the platform operator (the processor) and every human role are denied (VTC-PROCESSOR
§14-15, §27, §34; design.md, "The deployment path").

The workload account's party roles write these actions into their explicit Deny statements
(cdk_constructs/workload_roles.py); the VTC-PROCESSOR and VTC-PROCESSOR-DEPLOY rules and the Access Analyzer checks
(tools/access_checks.py) require a part of them. One list, so the roles and their checks cannot
drift apart.
"""

from __future__ import annotations

# The operator reads no secret of the workload account, whatever else allows it.
OPERATOR_DENIED_SECRET_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecret",
    "secretsmanager:RestoreSecret",
)
# It neither logs in to the database nor changes its master password.
OPERATOR_DENIED_DATABASE_ACTIONS = ("rds-db:connect", "rds:ModifyDBInstance")
# It uses neither the data key nor any other key of the Facilitair Bedrijf.
OPERATOR_DENIED_KEY_ACTIONS = (
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
    "kms:CreateGrant",
)
# It writes to, deletes from and unlocks nothing of the log archive (VTC-LOGS-DIRECT §27).
OPERATOR_DENIED_ARCHIVE_ACTIONS = (
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutObjectRetention",
    "s3:PutObjectLegalHold",
    "s3:BypassGovernanceRetention",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketVersioning",
    "s3:DeleteBucket",
)

# No human role deploys (issue "deployment is a path to the data"): none assumes a CDK bootstrap
# role (cdk-<qualifier>-*) ...
DEPLOYMENT_DENIED_ROLE_PATTERN = "cdk-*"
DEPLOYMENT_DENIED_ASSUME_ACTIONS = ("sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity")
# ... and none changes a stack, a stack set, a refactoring or a registered type itself.
DEPLOYMENT_DENIED_CLOUDFORMATION_ACTIONS = (
    "cloudformation:CreateChangeSet",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:DeleteChangeSet",
    "cloudformation:CreateStack",
    "cloudformation:UpdateStack",
    "cloudformation:DeleteStack",
    "cloudformation:ContinueUpdateRollback",
    "cloudformation:CancelUpdateStack",
    "cloudformation:RollbackStack",
    "cloudformation:UpdateTerminationProtection",
    "cloudformation:SetStackPolicy",
    "cloudformation:CreateStackSet",
    "cloudformation:UpdateStackSet",
    "cloudformation:DeleteStackSet",
    "cloudformation:CreateStackInstances",
    "cloudformation:UpdateStackInstances",
    "cloudformation:DeleteStackInstances",
    "cloudformation:ImportStacksToStackSet",
    "cloudformation:CreateStackRefactor",
    "cloudformation:ExecuteStackRefactor",
    "cloudformation:CreateGeneratedTemplate",
    "cloudformation:UpdateGeneratedTemplate",
    "cloudformation:RegisterType",
    "cloudformation:ActivateType",
    "cloudformation:SetTypeConfiguration",
    "cloudformation:SignalResource",
)
# What every human role may still read about the stacks (no template parameter values are secret:
# the LED templates take no secret parameters).
STACK_READ_ACTIONS = (
    "cloudformation:DescribeStacks",
    "cloudformation:DescribeStackEvents",
    "cloudformation:DescribeStackResources",
    "cloudformation:GetTemplate",
    "cloudformation:DescribeChangeSet",
)
