"""Where a budget alert may be POSTed, and the POST itself.

An admin sets a webhook, but the service delivers it, from inside a network where it can reach what its users
cannot: the cloud's metadata endpoint (the node's credentials), its own loopback (the hub's API, sidecars). So a
webhook's host must not resolve to a loopback, link-local (``169.254.0.0/16``, ``fe80::/10``: where the metadata
endpoints live), known metadata (``100.100.100.200``, ``168.63.129.16``, ``fd00:ec2::254``), unspecified, multicast
or reserved address. Private networks (``10/8``, ``172.16/12``, ``192.168/16``, ``fc00::/7``, ``100.64/10``) are
allowed: a team's Slack relay or chat server may well live there.

The rule is checked when a webhook is set (a name that does not resolve then is accepted: it is checked again at
delivery) and at every delivery, against every address the host resolves to; the POST then connects to an address
that was checked, with no second lookup for DNS rebinding to swap, and follows no redirect.
``MAESTRO_WEBHOOK_ALLOW_HOSTS`` exempts the hosts (names or addresses) an operator names, e.g. a relay on the
service's own machine.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.parse
from collections.abc import Iterable

from ..errors import InvalidParameter, first_line

IP = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Metadata endpoints outside the link-local ranges: Alibaba Cloud's, Azure's wire server, AWS's IPv6 one.
METADATA = frozenset(ipaddress.ip_address(a) for a in ("100.100.100.200", "168.63.129.16", "fd00:ec2::254"))
#: "This network" (0.0.0.0/8): Linux routes it to the machine itself. NAT64's prefix embeds an IPv4 address.
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def address_problem(address: IP) -> str | None:
    """What kind of address ``address`` is when a webhook may not reach it, else ``None``."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in _NAT64 else None
        )
        if embedded is not None:
            return address_problem(embedded)
    if address in METADATA:
        return "a cloud metadata address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (where cloud metadata endpoints live)"
    if address.is_unspecified or address in _THIS_NETWORK:
        return "an unspecified address"
    if address.is_multicast or address.is_reserved:
        return "a multicast or reserved address"
    return None


def _resolve(host: str, port: int) -> list[IP]:
    """Every address ``host`` resolves to (an address literal: itself, in any form the resolver takes)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # The scope of a link-local IPv6 address (fe80::1%eth0) is dropped: the address decides.
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found))


def _target(url: str) -> tuple[urllib.parse.SplitResult, str, int]:
    parts = urllib.parse.urlsplit(url)
    https = parts.scheme.lower() == "https"
    return parts, parts.hostname or "", parts.port or (443 if https else 80)


def _refusal(host: str, addresses: Iterable[IP], allow: Iterable[str]) -> str | None:
    """Why a webhook to ``host`` (resolved to ``addresses``) may not be sent, or ``None``."""
    allowed = {a.strip().lower().strip("[]") for a in allow}
    if host.lower() in allowed:
        return None
    for address in addresses:
        problem = address_problem(address)
        if problem and str(address) not in allowed:
            return f"its host resolves to {address}, {problem}"
    return None


def check(url: str, allow: Iterable[str] = ()) -> None:
    """Refuse (``InvalidParameter``) a webhook whose host resolves to an address no webhook may reach, when it is
    set. A host that does not resolve now is let through: delivery checks again, and records a failure."""
    _, host, port = _target(url)
    try:
        addresses = _resolve(host, port)
    except (OSError, UnicodeError, ValueError):
        return
    why = _refusal(host, addresses, allow)
    if why:
        raise InvalidParameter(
            f"A webhook may not point at {host}: {why}. Alerts go to chat services, not to the service's own "
            "machine or its cloud's metadata (an operator may allow a host with MAESTRO_WEBHOOK_ALLOW_HOSTS)"
        )


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to ``address``, a checked address of the URL's host (which the Host header names)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def _socket(self) -> socket.socket:
        return socket.create_connection((self.address, self.port), self.timeout)

    def connect(self) -> None:
        self.sock = self._socket()


class _PinnedHTTPS(_PinnedHTTP):
    """As :class:`_PinnedHTTP`, over TLS, with the certificate checked against the URL's host."""

    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        self.sock = ssl.create_default_context().wrap_socket(self._socket(), server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], allow: Iterable[str] = (), timeout: float = 5.0) -> str:
    """POST ``body`` to ``url`` if its host resolves to addresses a webhook may reach, connecting to one of those;
    what came of it, as an alert records it: ``sent``, ``failed: ...`` (the URL is never in it: alerts are shown to
    people who may not see the webhook)."""
    parts, host, port = _target(url)
    try:
        addresses = _resolve(host, port)
    except (OSError, UnicodeError, ValueError):
        return "failed: the webhook's host does not resolve"
    why = _refusal(host, addresses, allow)
    if why:
        return f"failed: not sent, {why}"
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    kind = _PinnedHTTPS if parts.scheme.lower() == "https" else _PinnedHTTP
    error: Exception | None = None
    for address in addresses:
        connection = kind(host, port, str(address), timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
            status = connection.getresponse().status
        except (OSError, http.client.HTTPException) as exc:
            error = exc
            continue
        finally:
            connection.close()
        return "sent" if 200 <= status < 300 else f"failed: HTTP {status}"  # a redirect is not followed
    return f"failed: {first_line(error) if error else 'no address'}"
