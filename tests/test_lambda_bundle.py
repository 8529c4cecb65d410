"""The local bundler: deterministic asset hashes, one-line errors, a working bundle (no Docker)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest

import app as led_app
from cdk_constructs import lambda_bundle
from cdk_constructs.lambda_bundle import (
    CA_BUNDLE_NAME,
    REQUIREMENTS,
    WHEELHOUSE,
    LocalPipBundling,
    WheelhouseMissing,
    _pins,
    _wheels_for,
    asset_hash,
    bundled_code,
    with_shared_modules,
)

ROOT = Path(__file__).resolve().parent.parent
HANDLER = ROOT / "functions" / "restore_validation" / "handler.py"
VALIDATION = ROOT / "functions" / "shared" / "validation.py"
FILES = with_shared_modules({"handler.py": HANDLER})

needs_wheelhouse = pytest.mark.skipif(not WHEELHOUSE.is_dir(), reason="run `make setup` to fill .wheelhouse/")


def _code_hash(code) -> str:
    stack = cdk.Stack(cdk.App())
    config = code.bind(stack)
    return config.s3_location.object_key


@needs_wheelhouse
def test_same_inputs_give_the_same_hash() -> None:
    wheels = _wheels_for(_pins(REQUIREMENTS), WHEELHOUSE)
    assert asset_hash(FILES, wheels) == asset_hash(dict(reversed(list(FILES.items()))), list(reversed(wheels)))
    assert _code_hash(bundled_code(FILES)) == _code_hash(bundled_code(FILES))


@needs_wheelhouse
def test_any_changed_input_changes_the_hash(tmp_path: Path) -> None:
    wheels = _wheels_for(_pins(REQUIREMENTS), WHEELHOUSE)
    changed = tmp_path / "handler.py"
    changed.write_text(HANDLER.read_text() + "\n# changed\n")
    base = asset_hash(FILES, wheels)
    assert asset_hash({**FILES, "handler.py": changed}, wheels) != base
    renamed = {("main.py" if dest == "handler.py" else dest): path for dest, path in FILES.items()}
    assert asset_hash(renamed, wheels) != base
    assert asset_hash(FILES, wheels[:-1]) != base


def test_a_bundle_holds_the_shared_modules_its_handler_imports_and_no_others() -> None:
    def shared(function: str) -> list[str]:
        files = with_shared_modules({"handler.py": ROOT / "functions" / function / "handler.py"})
        return sorted(dest for dest in files if dest != "handler.py")

    database_client = [
        "functions/__init__.py",
        "functions/shared/__init__.py",
        "functions/shared/database.py",
        "functions/shared/validation.py",
    ]
    assert shared("restore_validation") == database_client
    assert shared("pgaudit_setup") == database_client
    assert shared("exit_drill") == [] and shared("xks_keys") == []


def test_missing_wheelhouse_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(WheelhouseMissing) as error:
        bundled_code(FILES, wheelhouse=tmp_path / "absent")
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("bundling error: the wheelhouse") and "make setup" in message


def test_missing_pinned_wheel_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "pg8000-1.0.0-py3-none-any.whl").write_bytes(b"")
    with pytest.raises(WheelhouseMissing) as error:
        bundled_code(FILES, wheelhouse=tmp_path)
    assert "no wheel for pg8000==" in str(error.value) and "\n" not in str(error.value)


def test_missing_ca_bundle_is_one_clear_line(tmp_path: Path) -> None:
    """A function that connects to the database is never bundled without the RDS CA bundle."""
    with pytest.raises(WheelhouseMissing) as error:
        bundled_code(FILES, with_requirements=False, wheelhouse=tmp_path)
    message = str(error.value)
    assert "\n" not in message
    assert (
        message.startswith(f"bundling error: the RDS CA bundle {tmp_path / CA_BUNDLE_NAME}") and "make setup" in message
    )


def test_a_function_that_does_not_connect_needs_no_ca_bundle(tmp_path: Path) -> None:
    handler = ROOT / "functions" / "exit_drill" / "handler.py"
    code = bundled_code({"handler.py": handler}, with_requirements=False, wheelhouse=tmp_path)
    assert _code_hash(code)


def _wheelhouse_without_ca_bundle(tmp_path: Path) -> Path:
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    for wheel in _wheels_for(_pins(REQUIREMENTS), WHEELHOUSE):
        (wheelhouse / wheel.name).symlink_to(wheel)
    return wheelhouse


@pytest.mark.parametrize(
    ("wheelhouse", "reported"),
    [
        pytest.param(lambda tmp_path: tmp_path / "absent", "the wheelhouse", id="no-wheelhouse"),
        pytest.param(_wheelhouse_without_ca_bundle, "the RDS CA bundle", id="no-ca-bundle", marks=needs_wheelhouse),
    ],
)
def test_app_reports_a_missing_bundling_input_in_one_line(monkeypatch, tmp_path, capsys, wheelhouse, reported) -> None:
    monkeypatch.setattr(lambda_bundle, "WHEELHOUSE", wheelhouse(tmp_path))
    monkeypatch.setattr(sys, "argv", ["app.py"])
    monkeypatch.setenv("CDK_CONTEXT_JSON", '{"envs": "dev"}')
    monkeypatch.setenv("CDK_OUTDIR", str(tmp_path / "out"))
    assert led_app.main() == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("bundling error")]
    assert len(lines) == 1 and "make setup" in lines[0] and lines[0].startswith(f"bundling error: {reported}")
    assert not (tmp_path / "out" / "manifest.json").exists()


@needs_wheelhouse
def test_bundle_holds_handler_shared_module_and_driver(tmp_path: Path, postgres_dsn: str) -> None:
    wheels = _wheels_for(_pins(REQUIREMENTS), WHEELHOUSE)
    out = tmp_path / "asset"
    out.mkdir()
    bundler = LocalPipBundling(files=FILES, wheels=wheels, asset_hash=asset_hash(FILES, wheels) + "-test")
    assert bundler.try_bundle(str(out), image=cdk.DockerImage.from_registry("unused"))
    assert (out / "handler.py").read_bytes() == HANDLER.read_bytes()
    assert (out / "functions" / "shared" / "validation.py").read_bytes() == VALIDATION.read_bytes()
    assert (out / "functions" / "shared" / "database.py").is_file()
    assert (out / "pg8000").is_dir() and (out / "scramp").is_dir()
    assert not list(out.rglob("*.pyc")), "pip must not compile: bytecode embeds timestamps"
    # The bundled pure-Python driver runs the shared checks against a real PostgreSQL.
    socket = postgres_dsn.split("host=", 1)[1].split("&", 1)[0] + "/.s.PGSQL.5432"
    script = (
        "import pg8000.dbapi, sys\n"
        "from functions.shared.validation import validate_database\n"
        f"conn = pg8000.dbapi.connect(user='postgres', database='postgres', unix_sock={socket!r})\n"
        "r = validate_database(conn, expected_tables=['pg_catalog.pg_class'], min_rows={'pg_catalog.pg_class': 1},"
        " max_newest_age_days=None, newest_column={})\n"
        "print(r.summary()); sys.exit(0 if r.ok else 1)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=out,
        env={"PYTHONPATH": str(out)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "OK: 2 checks passed"
