"""The fixtures of the who-can-do-what tests on prod (tests/test_access_matrix.py,
tests/test_access_perimeter.py): prod's stack templates and matrix from the session's synthesis.
A test module takes them with `pytest_plugins = ("tests.access_prod",)`; it does not import this
module (pytest does, as a plugin)."""

from __future__ import annotations

import pytest

from policies.access import who_can
from policies.access.templates import StackTemplate, stage_templates


@pytest.fixture(scope="module")
def prod_stacks(synth) -> list[StackTemplate]:
    return stage_templates(synth.outdir, "prod")


@pytest.fixture(scope="module")
def prod_matrix(synth, prod_stacks):
    return who_can("prod", prod_stacks, synth.config)
