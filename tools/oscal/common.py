"""What both OSCAL documents share: deterministic UUIDs, properties, the time stamp, the metadata.

Two runs on the same synthesis with the same time stamp write byte-identical files: every UUID is
a uuid5 of a stable name (environment, document, condition, rule, construct path), every list is
in the catalogue's or a sorted order, and the only time is the one given (`--oscal-timestamp`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from trestle.common import const
from trestle.oscal import OSCAL_VERSION
from trestle.oscal.common import BackMatter, Citation, Link, Metadata, Property, Resource, Rlink

from contract.artefacts import REPORT_JSON
from policies.catalogue import Catalogue

# The namespace of every UUID of the LED's OSCAL documents, and of the LED's own properties.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:led-landing-zone:oscal")
LED_NS = "urn:led-landing-zone:vtc-advice-01-2018"
TRESTLE_NS = const.TRESTLE_GENERIC_NS  # Rule_Id / Rule_Description, as trestle's own tools read them
TIMESTAMP_EXAMPLE = "2026-12-02T01:00:00+00:00"


class OscalError(Exception):
    """A problem with the OSCAL inputs or options, said in one line."""


class Uuids:
    """uuid5 of stable names; a name given twice gets a counter, so two objects never share one."""

    def __init__(self, env: str) -> None:
        self.env = env
        self._seen: dict[str, int] = {}

    def of(self, *parts: str) -> str:
        """The same UUID every time for the same name (shared between the two documents)."""
        return str(uuid.uuid5(NAMESPACE, "/".join((self.env, *parts))))

    def new(self, *parts: str) -> str:
        """A UUID for an object that must be unique within a document."""
        name = "/".join(parts)
        n = self._seen.get(name, 0)
        self._seen[name] = n + 1
        return self.of(*parts) if n == 0 else self.of(*parts, f"#{n + 1}")


def one_line(text: str) -> str:
    """OSCAL titles and property values are one line without leading or trailing blanks."""
    return " ".join(str(text).split())


def prop(name: str, value: Any, *, ns: str = LED_NS, remarks: str | None = None) -> list[Property]:
    """A property as a list of at most one: an empty value is left out (OSCAL forbids it)."""
    text = one_line(value) if value is not None else ""
    if not text:
        return []
    return [Property(name=name, value=text, ns=ns, remarks=remarks)]


def parse_timestamp(value: str | None) -> dt.datetime:
    """The time of both documents: the given ISO 8601 date and time with a time zone, or now (UTC)."""
    if value is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise OscalError(
            f"oscal error: --oscal-timestamp {value!r} is not an ISO 8601 date and time with a time zone; "
            f"allowed: e.g. {TIMESTAMP_EXAMPLE} or 2026-12-02T01:00:00Z"
        )
    return when


def content_version(report: dict[str, Any]) -> str:
    """The documents' version: a digest of the report they are made from (same synthesis, same version)."""
    digest = hashlib.sha256(json.dumps(report, sort_keys=True).encode()).hexdigest()
    return f"synthesis-{digest[:12]}"


def metadata(title: str, when: dt.datetime, report: dict[str, Any], remarks: str) -> Metadata:
    env = report["environment"]
    cfg = report.get("environment_config") or {}
    return Metadata(
        title=one_line(title),
        last_modified=when,
        version=content_version(report),
        oscal_version=OSCAL_VERSION,
        props=[*prop("environment", env), *prop("owner", cfg.get("owner")), *prop("region", cfg.get("region"))],
        remarks=remarks,
    )


def advice_resource(ids: Uuids, catalogue: Catalogue) -> Resource:
    """The advice the conditions come from, and the project's catalogue of them, as a back-matter resource."""
    advice = catalogue.advice
    return Resource(
        uuid=ids.of("resource", "advice"),
        title=one_line(advice.title),
        description=f"{advice.subject} ({advice.author}). The conditions, one by one, are the project's "
        "catalogue policies/conditions.toml: each control id of these documents is a condition id of it.",
        props=[*prop("advice-date", advice.date.isoformat()), *prop("catalogue", "policies/conditions.toml")],
        citation=Citation(text=one_line(f"{advice.title}, {advice.author}")),
    )


def report_resource(ids: Uuids) -> Resource:
    """The compliance report beside the OSCAL files: the evidence in full (every resource evaluated)."""
    return Resource(
        uuid=ids.of("resource", "report"),
        title="LED compliance report of this synthesis",
        description="report.json beside this file (report.html for people): every condition with the "
        "resources evaluated, the failures, the accepted-risks register.",
        rlinks=[Rlink(href=REPORT_JSON, media_type="application/json")],
    )


def back_matter(ids: Uuids, catalogue: Catalogue, *, with_report: bool) -> BackMatter:
    resources = [advice_resource(ids, catalogue)]
    return BackMatter(resources=resources + ([report_resource(ids)] if with_report else []))


def advice_link(ids: Uuids, catalogue: Catalogue) -> Link:
    """A link to the advice's back-matter resource (trestle counts '#uuid' links as references)."""
    return Link(href=f"#{ids.of('resource', 'advice')}", rel="reference", text=one_line(catalogue.advice.title))


def report_href(ids: Uuids) -> str:
    return f"#{ids.of('resource', 'report')}"
