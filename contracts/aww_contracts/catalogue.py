"""The catalogue of event schemas in contracts/events and the AsyncAPI document built from it.

`python -m aww_contracts.catalogue > contracts/asyncapi.yaml` regenerates the document; a contract
test fails when the committed file and the schemas disagree.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from importlib.resources import files

import yaml

_NAME = re.compile(r"^(?P<producer>[a-z][a-z0-9_-]*)\.(?P<event_type>[a-z][a-z0-9_]*)\.v(?P<version>\d+)\.json$")


@dataclass(frozen=True, order=True)
class EventSchema:
    producer: str
    event_type: str
    version: int
    schema: dict

    @property
    def message_name(self) -> str:
        return f"{self.producer}.{self.event_type}.v{self.version}"


def event_schemas() -> list[EventSchema]:
    found = []
    for resource in files("aww_contracts.events").iterdir():
        match = _NAME.match(resource.name)
        if match:
            found.append(
                EventSchema(
                    match["producer"],
                    match["event_type"],
                    int(match["version"]),
                    json.loads(resource.read_text(encoding="utf-8")),
                )
            )
    return sorted(found, key=lambda s: (s.producer, s.event_type, s.version))


def asyncapi_document() -> dict:
    envelope = json.loads(files("aww_contracts.events").joinpath("envelope.v1.json").read_text())
    envelope.pop("$schema", None)
    envelope.pop("$id", None)
    channels: dict = {}
    operations: dict = {}
    messages: dict = {}
    for schema in event_schemas():
        channel_id = f"{schema.producer}.events"
        channel = channels.setdefault(
            channel_id,
            {
                "address": channel_id,
                "description": f"Topic exchange of the {schema.producer} service; routing key = event_type.",
                "messages": {},
            },
        )
        payload = dict(schema.schema)
        payload.pop("$schema", None)
        payload.pop("$id", None)
        message = {
            "name": schema.event_type,
            "title": payload.get("title", schema.event_type),
            "summary": payload.get("description", ""),
            "contentType": "application/json",
            "headers": {
                "type": "object",
                "properties": {"nameko.correlation_id": {"type": "string"}},
            },
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/envelope"},
                    {
                        "type": "object",
                        "properties": {
                            "event_type": {"const": schema.event_type},
                            "schema_version": {"const": schema.version},
                            "producer": {"const": schema.producer},
                            "data": payload,
                        },
                    },
                ]
            },
        }
        messages[schema.message_name] = message
        channel["messages"][schema.message_name] = {"$ref": f"#/components/messages/{schema.message_name}"}
        operations[f"publish.{schema.message_name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{schema.message_name}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "AML platform events",
            "version": "1.0.0",
            "description": (
                "Events leave each service through its transactional outbox and reach consumers "
                "at least once; consumers deduplicate on event_id. Generated from contracts/events "
                "by `python -m aww_contracts.catalogue`: do not edit by hand."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {"rabbitmq": {"host": "127.0.0.1:5672", "protocol": "amqp", "protocolVersion": "0.9.1"}},
        "channels": channels,
        "operations": operations,
        "components": {"schemas": {"envelope": envelope}, "messages": messages},
    }


def render_asyncapi() -> str:
    return yaml.safe_dump(asyncapi_document(), sort_keys=False, allow_unicode=True, width=100)


if __name__ == "__main__":
    sys.stdout.write(render_asyncapi())
