"""How much the tier does at each ``--pdict-profile``: the one table of its sizes.

Every loop in the tier is bounded by these counts and by the time limits
below; no test waits on a child process without a deadline.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class TierSizes:
    """The tier's counts for one profile."""

    #: Crash: rounds of start, work, SIGKILL, reopen.
    crash_rounds: int
    #: Crash: operations a child is given per round (it is killed before the end).
    crash_ops: int
    #: Processes: how many processes write, pop, or read at once.
    processes: int
    #: Processes: distinct keys each writer writes.
    writes_each: int
    #: Processes: keys the poppers share; stale-read rounds between two processes.
    shared_keys: int
    #: Threads: how many threads share one handle.
    threads: int
    #: Threads: keys they race on.
    thread_keys: int


SIZES: dict[str, TierSizes] = {
    "quick": TierSizes(crash_rounds=6, crash_ops=120, processes=2, writes_each=25,
                       shared_keys=30, threads=4, thread_keys=40),
    "ci": TierSizes(crash_rounds=20, crash_ops=200, processes=3, writes_each=50,
                    shared_keys=60, threads=8, thread_keys=100),
    "thorough": TierSizes(crash_rounds=60, crash_ops=400, processes=6, writes_each=200,
                          shared_keys=200, threads=16, thread_keys=400),
}

#: Seconds a child may take to start, rebuild the spec and open the store.
START_TIMEOUT = 60.0
#: Seconds any one command (a batch of writes, a dump) may take.
COMMAND_TIMEOUT = 60.0
#: Seconds a second process may take to be refused by an exclusive store (room for a
#: store that waits for the lock a while, as busy timeouts of 30 s do, before it refuses).
EXCLUSIVE_TIMEOUT = 45.0
#: Seconds a thread test may take before it is declared hung.
THREAD_TIMEOUT = 60.0
