"""A TCP proxy a test can cut, to drop a real broker or database connection mid-flow.

Modes: "open" forwards both ways; "refuse" closes new and existing connections; "swallow_replies"
forwards client→server but drops server→client bytes (the server acts, the client never hears);
"blackhole" drops the bytes both ways and keeps the connections open (a peer that went silent).
Uses plain threads: under eventlet's monkey patch they are green threads.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class CuttableProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = "open"
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                self._listener.close()  # only this loop waits on the listener, so only it closes it
                return
            if self.mode == "refuse":
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, is_reply: bool) -> None:
        try:
            while True:
                chunk = source.recv(65536)
                if not chunk:
                    break
                if self.mode == "blackhole" or (is_reply and self.mode == "swallow_replies"):
                    continue
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                source.shutdown(socket.SHUT_RDWR)
                sink.shutdown(socket.SHUT_RDWR)
            source.close()  # only this pump reads `source`, so only it may close it

    def cut(self, mode: str = "refuse") -> None:
        """Switch mode; "refuse" also closes every open connection."""
        self.mode = mode
        if mode == "refuse":
            self.drop_connections()

    def drop_connections(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                # shutdown wakes the pumps reading it; they close the socket themselves, since
                # closing a socket another green thread reads trips eventlet's hub
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self.mode = "open"

    def close(self) -> None:
        self._closed = True
        self.drop_connections()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept loop, which closes it
