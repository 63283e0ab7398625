"""Worker processes die with the process that owns them (storage.parent_watch)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hcctrials.storage.parent_watch import EXIT_STATUS, watch_parent

# The owner starts a watcher child, prints the child's pid and sleeps; the child watches the
# owner and sleeps far longer than the test waits.
_OWNER = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]])
print(child.pid, flush=True)
time.sleep(600)
"""
_CHILD = """
import os, sys, time
from hcctrials.storage.parent_watch import watch_parent
watch_parent(os.getppid(), interval=0.1)
open(sys.argv[1], "w").close()
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_watched_process_exits_when_its_owner_is_killed(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    owner = subprocess.Popen([sys.executable, "-c", _OWNER, _CHILD, str(ready)], stdout=subprocess.PIPE, text=True)
    child = 0
    try:
        assert owner.stdout is not None
        child = int(owner.stdout.readline())
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists() and _alive(child)
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait(timeout=30)
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child), "the watched process outlived its owner"
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait(timeout=30)
        if owner.stdout is not None:
            owner.stdout.close()
        if child and _alive(child):
            os.kill(child, signal.SIGKILL)


def test_watching_oneself_or_a_dead_owner() -> None:
    watch_parent(os.getpid())  # no-op: a process does not outlive itself
    proc = subprocess.run([sys.executable, "-c",
                           "from hcctrials.storage.parent_watch import watch_parent\n"
                           "import time\nwatch_parent(2**22 + 12345)\ntime.sleep(30)"], timeout=60)
    assert proc.returncode == EXIT_STATUS  # the owner is gone already: exits at once
