"""The project's own CDK bootstrap templates, per account and region (`python -m tools.bootstrap`,
`make bootstrap-templates`; the command line is tools/bootstrap/cli.py).

Deploying is a path to the data (design.md, "The deployment path"; VTC-PROCESSOR §14-15, §34):
whoever can run a change set acts as the bootstrap's CloudFormation execution role. The stock
template (shipped with the CDK CLI, ``node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml``)
trusts the account root of the bootstrapped account and, without
``--cloudformation-execution-policies``, gives the execution role AdministratorAccess without a
boundary. This generator takes that template offline and changes exactly this:

- **trust**: the deploy, file-publishing, image-publishing and lookup roles trust only the
  principals of the config's ``[deployment]`` table: the controller's (AHOVOKS') pipeline role
  for the workload, log archive and backup accounts (and the organisation's management account),
  the Facilitair Bedrijf's deployers for the key custody account. Never an account root; no
  ExternalId (no confused deputy);
- **boundary**: the template creates the deployment boundary ``led-<qualifier>-deployment-boundary-<region>``
  (a managed policy) and puts it on the execution role and on every other bootstrap role. Its
  statements are the LED permissions boundary's (``cdk_constructs.boundary.boundary_statements``),
  so the execution role cannot leave the allowed regions, use another custodian's keys, make data
  public or share snapshots, minus only the denied actions that the create and update handlers
  of the resource types deployed to that account must call (e.g. ``kms:CreateKey`` in the key
  custody account, ``cloudtrail:PutEventSelectors`` in the workload account), plus a deny of
  every IAM change to the bootstrap's own roles and policies (``DenyChangingTheBootstrap``): the Baseline
  stack's own boundary cannot be used, because it does not exist before the first deployment,
  lives in the workload account only, and denies what deploying the trail and the keys needs.
  ``--custom-permissions-boundary`` would have the same chicken-and-egg problem;
- **execution policy**: instead of AdministratorAccess, managed policies granting the actions of
  the CloudFormation handlers (create, update, delete, read, list; from the resource provider
  schemas cfn-lint ships) of exactly the resource types in that account's synthesized templates,
  ``lambda:InvokeFunction`` on the account's functions for custom resources, and reading the
  asset staging bucket (Lambda code);
- **no KMS key of its own**: assets are encrypted with the S3 managed key (code, no personal
  data); the LED creates keys only in the key custody account (VTC-KEY-CUSTODY §51).

The templates are checked before they are written (``check_template``): trust, boundary and the
coverage of every resource type; a failing check stops with one line.

The steps, one module each: `assembly` (what the synthesis deploys where, read through
policies/synthesis.py), `handlers` (the handler actions of a resource type), `roles` (trust,
boundary, execution policies), `template` (the stock template changed), `checks`, `output` (the
files), `cli`. What the access model (policies/access/) and the tests use is exported here.
"""

from tools.bootstrap.assembly import resource_types_by_target
from tools.bootstrap.checks import allowed_actions, check_template
from tools.bootstrap.cli import main
from tools.bootstrap.handlers import NO_HANDLER_TYPES, handler_permissions, is_custom
from tools.bootstrap.model import BootstrapError, Target, targets_of
from tools.bootstrap.output import write
from tools.bootstrap.roles import deployment_boundary, execution_policies, trust_policy, trusted_principals
from tools.bootstrap.template import BOUNDARY, TRUSTING_ROLES

__all__ = [
    "BOUNDARY",
    "NO_HANDLER_TYPES",
    "TRUSTING_ROLES",
    "BootstrapError",
    "Target",
    "allowed_actions",
    "check_template",
    "deployment_boundary",
    "execution_policies",
    "handler_permissions",
    "is_custom",
    "main",
    "resource_types_by_target",
    "targets_of",
    "trust_policy",
    "trusted_principals",
    "write",
]
