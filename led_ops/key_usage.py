"""The key-usage ledger: every use of the Facilitair Bedrijf's keys, read from the archived trail
(VTC-LOGS-DIRECT §27, VTC-KEY-NO-PROVIDER §44, VTC-KEY-CUSTODY §51).

    led-ops key-usage ENV [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--format table|json|markdown]
    led-ops key-usage ENV --from DIR ...        # log files already downloaded (any folder layout)

AHOVOKS reads the CloudTrail log files in its own log archive account (the `led-<env>-log-auditor`
role), without the platform operator in between. The files are where CloudTrail writes them:
`AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/*.json.gz`, one gzip JSON document
`{"Records": [...]}` each, for the workload account and the key custody account.

Per day, key, principal, service and operation the ledger counts the calls. A call is *flagged*
when it lies outside the paths the key policies allow:

- a cryptographic operation (Decrypt, Encrypt, GenerateDataKey*, ReEncrypt*, ...) made directly by
  a role or user, not by an AWS service on its behalf (`userIdentity.invokedBy`, the `kms:ViaService`
  path of the key policies);
- a call from an account that is not one of the environment's four accounts (the second partner
  may decrypt exit exports through S3 only);
- a change to who may use the key or whether it exists: PutKeyPolicy, a grant not created by an
  AWS service, disabling the key or its rotation, deleting it or its imported material.

Denied attempts count as well (their outcome is the error code): an attempt is evidence too.
Exit code 1 when anything is flagged, when a log file cannot be read, when a record has a shape
the ledger does not know, or when the period has no log file at all (a silent trail is a finding).
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from config import EnvironmentConfig
from led_ops.errors import CHECK_FAILED, OK, UsageError

MAX_DAYS = 366
CRYPTO_OPERATIONS = frozenset(
    {
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "ReEncrypt",
        "ReEncryptFrom",
        "ReEncryptTo",
    }
)
# Changes to who may use a key, or whether it can be used at all.
ADMIN_OPERATIONS = frozenset(
    {
        "PutKeyPolicy",
        "DisableKey",
        "DisableKeyRotation",
        "ScheduleKeyDeletion",
        "DeleteImportedKeyMaterial",
        "UpdatePrimaryRegion",
        "ReplicateKey",
    }
)
GRANT_OPERATIONS = frozenset({"CreateGrant"})
REQUIRED_FIELDS = ("eventName", "eventTime", "userIdentity")


class LedgerInputError(Exception):
    """A log file or record the ledger cannot read, said in one line."""


@dataclass(frozen=True, kw_only=True)
class Use:
    day: str
    key: str
    principal: str
    account: str
    service: str | None
    operation: str
    outcome: str
    flag: str | None = None

    @property
    def row(self) -> tuple[str, str, str, str, str, str]:
        return (self.day, self.key, self.principal, self.service or "-", self.operation, self.outcome)


@dataclass
class Ledger:
    env: str
    since: date
    until: date
    files: int = 0
    counts: Counter[tuple[str, str, str, str, str, str]] = field(default_factory=Counter)
    flagged: list[tuple[Use, str]] = field(default_factory=list)  # (use, where it was read)
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.flagged or self.problems or self.files == 0)

    def add(self, use: Use, where: str) -> None:
        self.counts[use.row] += 1
        if use.flag is not None:
            self.flagged.append((use, where))


# Reading -------------------------------------------------------------------------------------


def parse_log_file(name: str, data: bytes) -> list[Any]:
    """The records of one CloudTrail log file (gzip JSON, or plain JSON)."""
    try:
        text = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
        document = json.loads(text)
    except (OSError, EOFError, zlib.error) as exc:
        raise LedgerInputError(f"{name}: not a readable gzip file ({exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LedgerInputError(f"{name}: not a CloudTrail log file (invalid JSON: {exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("Records"), list):
        raise LedgerInputError(f"{name}: not a CloudTrail log file (no 'Records' list)")
    return document["Records"]


def days(since: date, until: date) -> list[date]:
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def s3_files(s3: Any, bucket: str, accounts: Iterable[str], since: date, until: date) -> Iterator[tuple[str, bytes]]:
    """The log files of the period: every region a trail wrote to, every account, every day."""
    for account in accounts:
        base = f"AWSLogs/{account}/CloudTrail/"
        regions = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=base, Delimiter="/"):
            regions += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        for region_prefix in regions:
            for day in days(since, until):
                prefix = f"{region_prefix}{day:%Y/%m/%d}/"
                for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                    for obj in page.get("Contents", []):
                        body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
                        yield f"s3://{bucket}/{obj['Key']}", body


def dir_files(root: Path) -> Iterator[tuple[str, bytes]]:
    if not root.is_dir():
        raise UsageError(f"key-usage --from {root}: not a folder")
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name.endswith((".json", ".json.gz"))):
        yield str(path), path.read_bytes()


# Classifying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyBook:
    """Which keys are FB's, under which name, and which accounts may use them."""

    names: dict[str, str]  # key ARN or alias -> name (data, backup, log, secondary-backup)
    key_custody: str
    accounts: frozenset[str]
    partner_account: str

    @classmethod
    def of(cls, env: EnvironmentConfig) -> KeyBook:
        names: dict[str, str] = {}
        for purpose in ("data", "backup", "log", "secondary_backup"):
            arn = getattr(env.keys, f"{purpose}_key_arn")
            label = purpose.replace("_", "-")
            if arn:
                names[arn] = label
            names[f"alias/{env.key_alias_name(purpose)}"] = label
        acc = env.accounts
        return cls(
            names=names,
            key_custody=acc.key_custody,
            accounts=frozenset({acc.workload, acc.key_custody, acc.log_archive, acc.backup}),
            partner_account=env.drills.second_partner_principal_arn.split(":")[4],
        )

    def key_of(self, record: dict[str, Any]) -> str | None:
        """The FB key a KMS record is about, by name; None when it is no key of FB's."""
        candidates = [r.get("ARN") for r in record.get("resources") or [] if isinstance(r, dict)]
        params = record.get("requestParameters")
        if isinstance(params, dict):
            candidates += [params.get("keyId"), params.get("sourceKeyId"), params.get("destinationKeyId")]
        for candidate in candidates:
            if not isinstance(candidate, str):
                continue
            if candidate in self.names:
                return self.names[candidate]
            parts = candidate.split(":")
            if len(parts) >= 6 and parts[2] == "kms" and parts[4] == self.key_custody:
                return parts[5].removeprefix("key/")
        return None


def _principal(identity: dict[str, Any]) -> tuple[str, str]:
    kind = identity.get("type", "?")
    if kind == "AWSService":
        return identity.get("invokedBy", "AWS service"), ""
    issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
    arn = issuer.get("arn") or identity.get("arn") or identity.get("principalId") or kind
    return arn, identity.get("accountId", "")


def _service(record: dict[str, Any]) -> str | None:
    identity = record["userIdentity"]
    invoked = identity.get("invokedBy")
    if isinstance(invoked, str) and invoked:
        return invoked
    source = record.get("sourceIPAddress")
    if isinstance(source, str) and (source.endswith(".amazonaws.com") or source == "AWS Internal"):
        return source
    return None


def _flag(book: KeyBook, operation: str, kind: str, account: str, service: str | None) -> str | None:
    if account and account not in book.accounts:
        if not (account == book.partner_account and service == "s3.amazonaws.com"):
            return f"use from account {account}, which is none of the environment's accounts"
    if operation in CRYPTO_OPERATIONS and service is None and kind != "AWSService":
        return "direct use by a role or user, not through an AWS service (kms:ViaService)"
    if operation in ADMIN_OPERATIONS:
        return f"key administration: {operation}"
    if operation in GRANT_OPERATIONS and service is None:
        return "grant created directly, not by an AWS service for its resources"
    return None


def classify(record: Any, book: KeyBook, where: str) -> Use | None:
    """The use a record shows of an FB key; None for records about anything else."""
    if not isinstance(record, dict):
        raise LedgerInputError(f"{where}: a record of unknown shape (not a JSON object)")
    if record.get("eventSource") != "kms.amazonaws.com":
        return None
    missing = [name for name in REQUIRED_FIELDS if name not in record]
    if missing or not isinstance(record.get("userIdentity"), dict):
        what = ", ".join(missing) or "userIdentity (not an object)"
        raise LedgerInputError(f"{where}: a KMS record of unknown shape (missing {what})")
    key = book.key_of(record)
    if key is None:
        return None
    try:
        day = datetime.strptime(record["eventTime"], "%Y-%m-%dT%H:%M:%SZ").date().isoformat()
    except (TypeError, ValueError):
        raise LedgerInputError(f"{where}: a KMS record with eventTime {record['eventTime']!r} (not ISO UTC)") from None
    identity = record["userIdentity"]
    principal, account = _principal(identity)
    service = _service(record)
    operation = str(record["eventName"])
    return Use(
        day=day,
        key=key,
        principal=principal,
        account=account,
        service=service,
        operation=operation,
        outcome=record.get("errorCode") or "ok",
        flag=_flag(book, operation, identity.get("type", "?"), account, service),
    )


def build(env: EnvironmentConfig, files: Iterable[tuple[str, bytes]], since: date, until: date) -> Ledger:
    book = KeyBook.of(env)
    ledger = Ledger(env=env.name, since=since, until=until)
    for name, data in files:
        ledger.files += 1
        try:
            records = parse_log_file(name, data)
        except LedgerInputError as exc:
            ledger.problems.append(str(exc))
            continue
        for index, record in enumerate(records):
            where = f"{name} record {index}"
            try:
                use = classify(record, book, where)
            except LedgerInputError as exc:
                ledger.problems.append(str(exc))
                continue
            if use is not None and since.isoformat() <= use.day <= until.isoformat():
                ledger.add(use, where)
    return ledger


# Rendering -----------------------------------------------------------------------------------

HEADER = ("day", "key", "principal", "service", "operation", "outcome", "calls")


def _rows(ledger: Ledger) -> list[tuple[str, ...]]:
    return [(*row, str(n)) for row, n in sorted(ledger.counts.items())]


def _summary(ledger: Ledger) -> list[str]:
    lines = [
        f"key usage of environment {ledger.env!r}, {ledger.since} to {ledger.until}: "
        f"{sum(ledger.counts.values())} calls in {ledger.files} log files, {len(ledger.flagged)} flagged"
    ]
    if ledger.files == 0:
        lines.append("no CloudTrail log file for this period: the trail may have stopped delivering (a finding)")
    lines += [f"FLAGGED {use.day} {use.key} {use.operation} by {use.principal}: {why}" for use, why in _flags(ledger)]
    lines += [f"UNREADABLE {problem}" for problem in ledger.problems]
    return lines


def _flags(ledger: Ledger) -> list[tuple[Use, str]]:
    return [(use, f"{use.flag} ({where})") for use, where in ledger.flagged]


def render_table(ledger: Ledger) -> str:
    rows = [HEADER, *_rows(ledger)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    table = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join([*_summary(ledger), "", *table])


def render_markdown(ledger: Ledger) -> str:
    lines = [f"### Key usage, {ledger.env}, {ledger.since} to {ledger.until}", ""]
    lines += [f"- {line}" for line in _summary(ledger)]
    lines += ["", "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in _rows(ledger)]
    return "\n".join(lines)


def render_json(ledger: Ledger) -> str:
    return json.dumps(
        {
            "environment": ledger.env,
            "since": ledger.since.isoformat(),
            "until": ledger.until.isoformat(),
            "log_files": ledger.files,
            "uses": [dict(zip(HEADER, row, strict=True)) | {"calls": int(row[-1])} for row in _rows(ledger)],
            "flagged": [
                {
                    "day": u.day,
                    "key": u.key,
                    "principal": u.principal,
                    "account": u.account,
                    "service": u.service,
                    "operation": u.operation,
                    "outcome": u.outcome,
                    "why": u.flag,
                    "where": where,
                }
                for u, where in ledger.flagged
            ],
            "unreadable": ledger.problems,
            "failed": ledger.failed,
        },
        indent=2,
    )


RENDERERS: dict[str, Callable[[Ledger], str]] = {
    "table": render_table,
    "markdown": render_markdown,
    "json": render_json,
}


def period(since: str | None, until: str | None, *, today: date | None = None) -> tuple[date, date]:
    """The days to read, inclusive; the last seven by default."""
    today = today or datetime.now(UTC).date()

    def parse(value: str, flag: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise UsageError(f"key-usage {flag}: got {value!r}; allowed: a date YYYY-MM-DD") from None

    end = parse(until, "--until") if until else today
    start = parse(since, "--since") if since else end - timedelta(days=6)
    if start > end:
        raise UsageError(f"key-usage: --since {start} is after --until {end}")
    if (end - start).days + 1 > MAX_DAYS:
        raise UsageError(f"key-usage: {(end - start).days + 1} days asked; allowed: at most {MAX_DAYS}")
    return start, end


def run(
    env: EnvironmentConfig,
    files: Iterable[tuple[str, bytes]],
    *,
    since: date,
    until: date,
    output: str = "table",
    out: Callable[[str], None] = print,
) -> int:
    ledger = build(env, files, since, until)
    out(RENDERERS[output](ledger))
    return CHECK_FAILED if ledger.failed else OK


def archive_accounts(env: EnvironmentConfig) -> list[str]:
    """The accounts whose trails deliver into the archive: the workload's and FB's key custody."""
    return [env.accounts.workload, env.accounts.key_custody]
