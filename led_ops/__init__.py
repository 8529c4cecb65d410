"""led-ops: the operations command of the LED landing zone (drills, backup evidence, re-encryption).

One command-line entry point (`led-ops`, or `python -m led_ops`) for platform engineers and
auditors; every subcommand that changes AWS is a dry run unless `--execute` is given.
"""
