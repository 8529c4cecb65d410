"""LED operations: drills and checks shared by the landing zone Lambdas and the led-ops command.

`led-ops` (or `python -m led_ops`) is the one command-line entry point for platform engineers and
auditors; every subcommand that changes AWS is a dry run unless `--execute` is given.
"""
