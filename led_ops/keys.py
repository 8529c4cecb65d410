"""KMS key generations: which key material encrypted a recovery point, and how old it is.

VTC-KEY-REENCRYPT / VTC-NO-STALE-BACKUP (§46-47): a recovery point must not stay under key material
older than the configured rotation bound. KMS keeps every rotated generation, so "the key" of a
recovery point is the newest generation (creation or rotation) that existed when it was written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import botocore.exceptions

from led_ops.aws import Context


@dataclass(frozen=True)
class KeyInfo:
    arn: str
    created: datetime | None
    generations: tuple[datetime, ...]  # creation and every rotation, oldest first
    state: str | None = None
    manager: str | None = None
    error: str | None = None  # why the key could not be described (then nothing else is known)

    def generation_at(self, when: datetime) -> datetime | None:
        before = [g for g in self.generations if g <= when]
        return before[-1] if before else (self.generations[0] if self.generations else None)


def region_of(arn: str) -> str:
    return arn.split(":")[3]


def describe_key(ctx: Context, arn: str) -> KeyInfo:
    kms = ctx.client("kms", region_of(arn))
    try:
        meta = kms.describe_key(KeyId=arn)["KeyMetadata"]
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        return KeyInfo(arn=arn, created=None, generations=(), error=f"{error.get('Code')}: {error.get('Message')}")
    generations = [meta["CreationDate"]]
    try:
        for page in kms.get_paginator("list_key_rotations").paginate(KeyId=meta["Arn"]):
            generations += [r["RotationDate"] for r in page.get("Rotations", [])]
    except botocore.exceptions.ClientError as exc:
        # Rotation history is evidence too; without it the key's creation date is the only bound.
        ctx.progress(f"note: rotation history of {arn} unavailable: {exc.response.get('Error', {}).get('Code')}")
    return KeyInfo(
        arn=meta["Arn"],
        created=meta["CreationDate"],
        generations=tuple(sorted(generations)),
        state=meta.get("KeyState"),
        manager=meta.get("KeyManager"),
    )


class KeyCache:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._keys: dict[str, KeyInfo] = {}

    def get(self, arn: str) -> KeyInfo:
        if arn not in self._keys:
            self._keys[arn] = describe_key(self._ctx, arn)
        return self._keys[arn]
