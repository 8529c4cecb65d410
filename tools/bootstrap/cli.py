"""The project's own CDK bootstrap: one template per account and region the LED stacks deploy to.

    python -m tools.bootstrap [--config PATH] [--assembly cdk.out] [--out cdk.out/bootstrap]

Prints the templates it wrote; bad input is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config import ConfigError, load_config
from tools.bootstrap.model import BootstrapError
from tools.bootstrap.output import write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bootstrap", description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="the LED config file (default: the embedded config/environments.toml)")
    parser.add_argument("--assembly", default="cdk.out", help="the synthesized cloud assembly (default cdk.out)")
    parser.add_argument("--out", default="cdk.out/bootstrap", help="where to write (default cdk.out/bootstrap)")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
        paths = write(config, Path(args.assembly), Path(args.out))
    except (ConfigError, BootstrapError) as exc:
        print(exc, file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0
