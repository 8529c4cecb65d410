"""`python -m policies.access cdk.out --env prod [--format markdown|json|html] [--config led.toml]`:
print the who-can-do-what table of an environment, computed from the cloud assembly."""

from __future__ import annotations

import argparse
import json
import sys
import time

from config import ConfigError, load_config
from policies.access.matrix import who_can


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m policies.access", description=__doc__)
    parser.add_argument("assembly", help="the cloud assembly directory (cdk.out)")
    parser.add_argument("--env", action="append", help="environment (repeatable; default: every one)")
    parser.add_argument("--config", default=None, help="the config file synthesis used (default: embedded)")
    parser.add_argument("--format", choices=("markdown", "json", "html"), default="markdown")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config) if args.config else load_config()
    except ConfigError as error:
        print(f"config error: {error}", file=sys.stderr)
        return 2
    for env in args.env or list(config.environments):
        if env not in config.environments:
            print(
                f"error: environment '{env}' is not in the config; allowed: {', '.join(config.environments)}",
                file=sys.stderr,
            )
            return 2
        started = time.perf_counter()
        try:
            matrix = who_can(env, args.assembly, config)
        except FileNotFoundError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        if args.format == "json":
            print(json.dumps(matrix.to_json(), indent=2))
        elif args.format == "html":
            print(matrix.to_html())
        else:
            print(matrix.to_markdown())
        print(f"({env}: evaluated in {time.perf_counter() - started:.2f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
