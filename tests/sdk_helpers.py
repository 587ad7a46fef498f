"""Reaching past the SDK in tests: the in-process services behind a client, to arrange state or look at stores."""

from __future__ import annotations

from typing import Any

from maestro_jupyter.services import Services


def services_of(client: Any) -> Services:
    """The services a client's transport (through any JSON round trip) runs in this process."""
    transport = client._transport
    while hasattr(transport, "inner"):
        transport = transport.inner
    services: Services = transport.services
    return services
