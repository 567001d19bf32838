"""A real ``redis-server`` for the scale-out tests: where it is, and a free port for it."""

import shutil
import socket

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
