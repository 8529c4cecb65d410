"""FB's external key store (XKS) in the key custody account, as a custom resource (VTC §45, §51).

CloudFormation cannot create an external key store or a KMS key in one (AWS KMS Developer Guide,
"Managing KMS keys in an external key store"), so the function of functions/xks_keys/ does it:
`ExternalKeyStore` is the store (created, connected, waited for), and CustodyKey asks it for one
`Custom::LedXksKey` per key purpose, with the same key policy as the other origins. The function
runs only during FB's deployments of the key custody stack; its role may create keys only with
origin EXTERNAL_KEY_STORE and is an FB administration path of those keys (its name is
deterministic: config.xks.xks_handler_role_name, which the pack's settings recognise).
"""

from __future__ import annotations

from aws_cdk import CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from cdk_constructs.lambda_bundle import ARCHITECTURE, ROOT, RUNTIME, bundled_code
from cdk_constructs.risk import accept_risk
from config.xks import ExternalKeyStore as StoreConfig
from config.xks import KeyPurpose, xks_handler_role_name

HANDLER = ROOT / "functions" / "xks_keys" / "handler.py"
STORE_TYPE = "Custom::LedExternalKeyStore"
KEY_TYPE = "Custom::LedXksKey"

_STORE_ACTIONS = [
    "kms:CreateCustomKeyStore",
    "kms:DescribeCustomKeyStores",
    "kms:ConnectCustomKeyStore",
    "kms:DisconnectCustomKeyStore",
    "kms:UpdateCustomKeyStore",
]
_KEY_ACTIONS = ["kms:DescribeKey", "kms:PutKeyPolicy", "kms:UpdateKeyDescription", "kms:TagResource"]


class ExternalKeyStore(Construct):
    """The store and the function that makes it and its keys; `key_properties` feeds CustodyKey."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        region: str,
        store: StoreConfig,
        uri_endpoint: str,
        vpc_endpoint_service_name: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        partition, account = stack.partition, stack.account
        self.store_config = store
        # No log group: it would exist before any FB key does, so no FB key could encrypt it (VTC §48,
        # §51). The role may not write logs; every KMS call the function makes is in the key custody
        # account's trail, and its one-line failure reaches CloudFormation's stack events.
        self.role_name = xks_handler_role_name(environment, region)
        self.role = iam.Role(
            self,
            "Role",
            role_name=self.role_name,
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"LED {environment}: creates FB's external key store and its KMS keys (VTC §45)",
        )
        secret_region = store.credential_secret_arn.split(":")[3]
        statements = [
            iam.PolicyStatement(sid="ManageTheExternalKeyStore", actions=_STORE_ACTIONS, resources=["*"]),
            # Only keys in an external key store: the origin the config chose (kms:KeyOrigin).
            iam.PolicyStatement(
                sid="CreateKeysInTheExternalKeyStoreOnly",
                actions=["kms:CreateKey"],
                resources=["*"],
                conditions={"StringEquals": {"kms:KeyOrigin": "EXTERNAL_KEY_STORE"}},
            ),
            iam.PolicyStatement(sid="FindKeys", actions=["kms:ListKeys", "kms:ListAliases"], resources=["*"]),
            iam.PolicyStatement(
                sid="SetUpOwnKeys",
                actions=_KEY_ACTIONS,
                resources=[f"arn:{partition}:kms:{region}:{account}:key/*"],
            ),
            iam.PolicyStatement(
                sid="NameOwnKeys",
                actions=["kms:CreateAlias", "kms:UpdateAlias"],
                resources=[
                    f"arn:{partition}:kms:{region}:{account}:key/*",
                    f"arn:{partition}:kms:{region}:{account}:alias/led-{environment}-*",
                ],
            ),
            iam.PolicyStatement(
                sid="ReadTheProxyCredential",
                actions=["secretsmanager:GetSecretValue"],
                resources=[store.credential_secret_arn],
            ),
            iam.PolicyStatement(
                sid="DecryptTheProxyCredential",
                actions=["kms:Decrypt"],
                resources=[f"arn:{partition}:kms:{secret_region}:{account}:key/*"],
                conditions={"StringEquals": {"kms:ViaService": f"secretsmanager.{secret_region}.amazonaws.com"}},
            ),
        ]
        # The role's boundary is its grant: the LED boundary denies key administration, which is this
        # role's one task in FB's account, so it gets a ceiling that allows nothing beyond the grant.
        self.boundary = iam.ManagedPolicy(self, "Boundary", statements=statements)
        iam.PermissionsBoundary.of(self.role).apply(self.boundary)
        self.policy = iam.ManagedPolicy(self, "Policy", roles=[self.role], statements=statements)
        wildcards = [
            "*",
            f"arn:{partition}:kms:{region}:{account}:key/*",
            f"arn:{partition}:kms:{region}:{account}:alias/led-{environment}-*",
            f"arn:{partition}:kms:{secret_region}:{account}:key/*",
        ]
        resolved = [stack.resolve(w) for w in wildcards]
        for policy, resource in (
            (policy, resource)
            for policy in (self.policy, self.boundary)
            for resource in dict.fromkeys(
                r if isinstance(r, str) else w for r, w in zip(resolved, wildcards, strict=True)
            )
        ):
            accept_risk(
                policy,
                f"AwsSolutions::AwsSolutions-IAM5[Resource::{resource}]",
                "KMS authorises CreateCustomKeyStore, DescribeCustomKeyStores, the connect/update calls, CreateKey "
                "(here only with kms:KeyOrigin EXTERNAL_KEY_STORE), ListKeys and ListAliases on '*' only; the key "
                "actions are limited to this account's keys in this region and aliases led-<env>-*, whose key "
                "policies admit this role as an FB administration path; the credential's key only through "
                "Secrets Manager.",
                risk="xks-handler-key-administration",
            )
        self.function = lambda_.Function(
            self,
            "Function",
            description=f"LED {environment}: FB's external key store and its keys (custom resource, VTC §45)",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            code=bundled_code({"handler.py": HANDLER}, with_requirements=False),
            handler="handler.on_event",
            role=self.role.without_policy_updates(),
            # Connecting a store can take minutes: the handler waits up to 13 of the 15 allowed.
            timeout=Duration.minutes(15),
            memory_size=256,
            reserved_concurrent_executions=1,
        )
        # @aws-cdk/aws-lambda:useCdkManagedLogGroup gives every function a log group: not this one (above).
        if not self.function.node.try_remove_child("LogGroup"):
            raise AssertionError("the CDK no longer creates the function's log group as child 'LogGroup'")
        self.function.node.add_dependency(self.policy)
        reason = (
            "Runs only when FB deploys the key custody stack, invoked synchronously by CloudFormation, whose "
            "deployment fails with the handler's one-line reason; the key custody account has no VPC, and the "
            "function reaches only the KMS and Secrets Manager APIs and CloudFormation's response URL."
        )
        for rule in (
            "NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC",
            "NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ",
            "cdk-validator-cfnguard::lambda_inside_vpc_check",
        ):
            accept_risk(self.function, rule, reason, risk="xks-handler-deployment-time-function")
        properties: dict[str, object] = {
            "CustomKeyStoreName": f"led-{environment}-fb",
            "XksProxyConnectivity": store.connectivity,
            "XksProxyUriEndpoint": uri_endpoint,
            "XksProxyUriPath": store.uri_path,
            "CredentialSecretArn": store.credential_secret_arn,
        }
        if vpc_endpoint_service_name:
            properties["XksProxyVpcEndpointServiceName"] = vpc_endpoint_service_name
        self.resource = CustomResource(
            self,
            "Default",
            service_token=self.function.function_arn,
            resource_type=STORE_TYPE,
            properties=properties,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.store_id = self.resource.get_att_string("CustomKeyStoreId")

    @property
    def admin_principal_arn(self) -> str:
        """The handler's role: it sets the key policies, so the policies must let it (lockout check)."""
        stack = Stack.of(self)
        return f"arn:{stack.partition}:iam::{stack.account}:role/{self.role_name}"

    def key(
        self, scope: Construct, construct_id: str, *, purpose: KeyPurpose, properties: dict[str, object]
    ) -> CustomResource:
        """One KMS key in the store, backed by FB's external key for `purpose`."""
        resource = CustomResource(
            scope,
            construct_id,
            service_token=self.function.function_arn,
            resource_type=KEY_TYPE,
            properties={
                **properties,
                "CustomKeyStoreId": self.store_id,
                "XksKeyId": self.store_config.external_key_ids[purpose],
            },
            removal_policy=RemovalPolicy.RETAIN,
        )
        return resource
