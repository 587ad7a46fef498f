"""Reaching past the SDK in tests: the in-process services behind a client, to arrange state or look at stores."""

from __future__ import annotations

from typing import Any

from maestro_jupyter.services import Services

#: The sections of a model card a person writes, as a test fills them in.
WRITTEN = {
    "owners": ["Ana Ruiz <ana@example.org>"],
    "license": "apache-2.0",
    "intended_use": "Second opinion for screening reviews.",
    "out_of_scope_use": "Diagnosis without a clinician.",
    "limitations": "Trained on 569 Wisconsin cases.",
    "ethical_considerations": "Keep a human in the loop.",
}


def services_of(client: Any) -> Services:
    """The services a client's transport (through any JSON round trip) runs in this process."""
    transport = client._transport
    while hasattr(transport, "inner"):
        transport = transport.inner
    services: Services = transport.services
    return services
