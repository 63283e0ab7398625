"""Worker processes that die with the process that started them.

The ingest and the search index parse in ``concurrent.futures`` worker processes started by a
``forkserver``.  Their parent (in the process tree) is the fork server, not the ingest, and a
worker blocked on its task queue never notices that the ingest was killed (``kill -9``, out of
memory): the workers, the fork server and the resource tracker used to live on.

:func:`watch_parent` is called in each worker's initializer with the pid of the process that
owns the pool.  A daemon thread waits on a Linux *pidfd* of that process (``os.pidfd_open``,
Linux >= 5.3: readable when the process exits; no polling, no pid-reuse race once opened) and
ends the worker with ``os._exit`` when it fires.  Elsewhere the thread checks every second
whether the process still exists.  Once the workers are gone, the fork server and the resource
tracker exit by themselves (their pipes close).
"""

from __future__ import annotations

import os
import select
import threading
import time

__all__ = ["watch_parent", "EXIT_STATUS"]

#: Exit status of a worker whose owner died (a distinct value, seen in process accounting).
EXIT_STATUS = 70


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _wait_pidfd(fd: int) -> None:
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while True:
        if poller.poll():
            os._exit(EXIT_STATUS)


def _wait_polling(pid: int, interval: float) -> None:
    while _alive(pid):
        time.sleep(interval)
    os._exit(EXIT_STATUS)


def watch_parent(owner_pid: int, *, interval: float = 1.0) -> None:
    """End this process (``os._exit``) as soon as process *owner_pid* has exited.

    Call it first thing in a pool worker's initializer, with ``os.getpid()`` of the process that
    created the pool passed through ``initargs``.  If the owner is already gone, exits at once.
    """
    if owner_pid == os.getpid():
        return
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is not None:
        try:
            fd = pidfd_open(owner_pid)
        except ProcessLookupError:
            os._exit(EXIT_STATUS)
        except OSError:  # kernel without pidfd (ENOSYS) or not permitted: poll instead
            pass
        else:
            threading.Thread(target=_wait_pidfd, args=(fd,), name="hcctrials-parent-watch", daemon=True).start()
            return
    if not _alive(owner_pid):
        os._exit(EXIT_STATUS)
    threading.Thread(target=_wait_polling, args=(owner_pid, interval), name="hcctrials-parent-watch",
                     daemon=True).start()
