"""Slowing down guessing: growing delays after failures, and plain rate limits.

In memory, per process. Behind a load balancer each replica keeps its own counts, so an
attacker spread over N replicas gets N times the budget; with sticky sessions a browser stays on
one replica, and the limits below leave room for that. Time comes from an injectable clock so
tests never sleep.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass
class _State:
    failures: int = 0
    blocked_until: float = 0.0


class Backoff:
    """After ``free`` failures, each further failure blocks the key for a doubling time.

    Failures are never answered with a sleep (that would hold a server thread); the caller asks
    :meth:`wait` first and refuses while it is positive, saying how long.
    """

    def __init__(self, free: int, base: float, cap: float, clock: Clock = time.monotonic, max_keys: int = 50_000):
        self.free, self.base, self.cap, self.clock, self.max_keys = free, base, cap, clock, max_keys
        self._state: dict[str, _State] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        with self._lock:
            s = self._state.get(key)
            return max(0.0, s.blocked_until - self.clock()) if s else 0.0

    def fail(self, key: str) -> float:
        """Count a failure; returns the seconds the key is now blocked (0 while still free)."""
        with self._lock:
            if len(self._state) >= self.max_keys and key not in self._state:
                self._forget_oldest()
            s = self._state.setdefault(key, _State())
            s.failures += 1
            over = s.failures - self.free
            delay = min(self.cap, self.base * 2 ** (over - 1)) if over > 0 else 0.0
            s.blocked_until = self.clock() + delay
            return delay

    def succeed(self, key: str) -> None:
        with self._lock:
            self._state.pop(key, None)

    def _forget_oldest(self) -> None:
        now = self.clock()
        stale = [k for k, s in self._state.items() if s.blocked_until < now]
        for k in stale[: max(1, len(stale) // 2)] or list(self._state)[:1]:
            self._state.pop(k, None)


class RateLimit:
    """At most ``limit`` events per key in any ``per`` seconds (a sliding window)."""

    def __init__(self, limit: int, per: float, clock: Clock = time.monotonic, max_keys: int = 50_000):
        self.limit, self.per, self.clock, self.max_keys = limit, per, clock, max_keys
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record an event for ``key`` if it is within the limit; False (nothing recorded) if not."""
        now = self.clock()
        with self._lock:
            q = self._events.get(key)
            if q is None:
                if len(self._events) >= self.max_keys:
                    self._events.pop(next(iter(self._events)))
                q = self._events[key] = deque()
            while q and q[0] <= now - self.per:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(now)
            return True

    def retry_after(self, key: str) -> float:
        with self._lock:
            q = self._events.get(key)
            if not q or len(q) < self.limit:
                return 0.0
            return max(0.0, q[0] + self.per - self.clock())
