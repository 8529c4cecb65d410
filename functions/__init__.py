"""Handlers of the LED Lambda functions; each is bundled on its own (cdk_constructs/lambda_bundle.py)."""
