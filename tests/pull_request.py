"""Changing a copy of synthesized stack templates the way a pull request would: the copy, the
statements of its policies to edit in place (tests/test_access_matrix.py, tests/test_access_perimeter.py)."""

from __future__ import annotations

import copy
from collections.abc import Iterator

from policies.access.templates import StackTemplate


def changed_copy(stacks: list[StackTemplate], stack_name: str) -> tuple[list[StackTemplate], StackTemplate]:
    """A deep copy of the stacks, to change, and the stack of that name in it."""
    changed = copy.deepcopy(stacks)
    return changed, next(s for s in changed if s.stack_name == stack_name)


def policy_statements(stack: StackTemplate, resource_type: str) -> Iterator[list[dict]]:
    """The Statement lists of the stack's policies of that type (AWS::IAM::ManagedPolicy,
    AWS::S3::BucketPolicy)."""
    for resource in stack.resources.values():
        if resource["Type"] == resource_type:
            yield resource["Properties"]["PolicyDocument"]["Statement"]


def statements_with(stack: StackTemplate, resource_type: str, sid: str) -> list[dict]:
    """The Statement list of the stack's policy of that type that holds the statement `sid`."""
    return next(st for st in policy_statements(stack, resource_type) if any(s.get("Sid") == sid for s in st))
