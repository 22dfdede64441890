"""The Cassandra service: one Cassandra 5.0 node for backends that need it.

By default the kit starts a node in a container with testcontainers (image
``--pdict-cassandra-image``) and removes it when the session ends.  With
``--pdict-cassandra-contact-points`` it uses an existing cluster instead.
"""

from __future__ import annotations

from typing import Any

DEFAULT_IMAGE = "pdict/cassandra:5.0"


def add_options(group: Any) -> None:
    group.addoption(
        "--pdict-cassandra-image", default=DEFAULT_IMAGE, metavar="IMAGE",
        help=f"image of the Cassandra node the kit starts (default {DEFAULT_IMAGE}; "
        "the official cassandra:5.0 works where a registry is reachable)",
    )
    group.addoption(
        "--pdict-cassandra-contact-points", metavar="HOST[:PORT],...",
        help="use this existing Cassandra cluster instead of starting a container",
    )
