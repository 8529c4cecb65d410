"""The contract: every name, tag, metadata key, artefact file and party that the stacks, the
constructs, the rules, the gate, the report and led-ops must agree on.

Derived here once, imported everywhere, so no two places can spell a name differently:
`names` (led-<env>-... resources, buckets, ARNs), `tags` (keys and values every resource carries),
`metadata` (construct metadata the constructs write and the rules read), `artefacts` (the files in
cdk.out) and `parties` (the owner and operator).
"""
