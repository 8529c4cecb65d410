"""Helpers the functions share with each other and with led-ops: the TLS connection to the
database (`database`) and the SQL sanity checks of a restored database (`validation`).

A function's bundle holds the modules of this package its handler imports, and nothing else of
the checkout (cdk_constructs/lambda_bundle.py finds them in its import statements). So a module
here imports only the standard library, its siblings, and what requirements-lambda.txt bundles.
"""
