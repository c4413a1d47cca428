"""The throwaway redis-server of tests/redis.py: on loopback, and a restart keeps what it held."""

from __future__ import annotations

import redis

from tests.redis import RedisServer, needs_redis

pytestmark = needs_redis


def test_a_restart_keeps_the_data_and_the_port(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url)
    client.rpush("jobs", "a", "b")
    redis_server.stop()
    redis_server.start()
    assert client.lrange("jobs", 0, -1) == [b"a", b"b"]
    assert client.config_get("bind")["bind"] == "127.0.0.1"
    client.close()
