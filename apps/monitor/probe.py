"""Read CPU and memory use from Linux's /proc (no third-party code).

CPU use is the share of non-idle time between two readings of ``/proc/stat``;
memory use is ``1 - MemAvailable / MemTotal`` from ``/proc/meminfo``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ['CpuTimes', 'Memory', 'cpu_count', 'cpu_percent', 'read_cpu', 'read_memory']

PROC = Path('/proc')


@dataclass(frozen=True, slots=True)
class CpuTimes:
    """Jiffies spent by all CPUs since boot: idle (idle + iowait) and in total."""

    idle: int
    total: int


@dataclass(frozen=True, slots=True)
class Memory:
    """Memory size and use, in kB."""

    total_kb: int
    available_kb: int

    @property
    def used_percent(self) -> float:
        """The share of memory in use (not available to new programs), 0 to 100."""
        if self.total_kb <= 0:
            return 0.0
        return clamp(100.0 * (self.total_kb - self.available_kb) / self.total_kb)


def clamp(value: float) -> float:
    """``value`` kept between 0 and 100."""
    return max(0.0, min(100.0, value))


def read_cpu(proc: Path = PROC) -> CpuTimes:
    """The aggregate ``cpu`` line of ``/proc/stat``."""
    with open(proc / 'stat', encoding='ascii') as stat:
        fields = stat.readline().split()
    if not fields or fields[0] != 'cpu':
        raise ValueError(f'unexpected first line in {proc / "stat"}: {" ".join(fields)!r}')
    # user nice system idle iowait irq softirq steal (guest times are inside user/nice).
    times = [int(value) for value in fields[1:9]]
    return CpuTimes(idle=times[3] + times[4], total=sum(times))


def cpu_percent(before: CpuTimes, after: CpuTimes) -> float:
    """CPU use between two readings, 0 to 100 (0 when no time passed)."""
    total = after.total - before.total
    if total <= 0:
        return 0.0
    return clamp(100.0 * (total - (after.idle - before.idle)) / total)


def read_memory(proc: Path = PROC) -> Memory:
    """``MemTotal`` and ``MemAvailable`` from ``/proc/meminfo``."""
    values: dict[str, int] = {}
    with open(proc / 'meminfo', encoding='ascii') as meminfo:
        for line in meminfo:
            name, _, rest = line.partition(':')
            if name in ('MemTotal', 'MemAvailable', 'MemFree'):
                values[name] = int(rest.split()[0])
    total = values.get('MemTotal', 0)
    return Memory(total_kb=total, available_kb=values.get('MemAvailable', values.get('MemFree', 0)))


def cpu_count(proc: Path = PROC) -> int:
    """How many CPUs ``/proc/stat`` lists."""
    with open(proc / 'stat', encoding='ascii') as stat:
        return sum(1 for line in stat if line.startswith('cpu') and line[3].isdigit())
