"""Several AMQP frames in one socket write.

py-amqp sends every frame with its own `sendall`; under eventlet each is a green socket call that
costs more than the frame itself. The relay publishes hundreds of messages at once and a batch of
events is acknowledged at once, so their frames are gathered and sent together.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def coalesced_writes(transport) -> Iterator[None]:
    """Frames written to `transport` (an amqp transport) inside the block leave in one write when
    the block ends, in the order they were written.

    The block must not wait on the network: the frames are only buffered, so waiting for the
    broker's answer to one of them would wait forever. py-amqp hands over a view of a buffer it
    reuses, hence the copy. Frames another green thread writes meanwhile join the same buffer in
    order (py-amqp's frame lock keeps each frame whole).
    """
    chunks: list[bytes] = []
    send = transport._write  # py-amqp's own hook: every frame goes through transport._write
    transport._write = lambda data: chunks.append(bytes(data))
    try:
        yield
    finally:
        transport._write = send
        if chunks:
            send(b"".join(chunks))
