"""wrk, the load generator (Debian's package), driven with Lua scripts that give every
event its own messageId and can hold a fixed request rate."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_LUA = """
local counter = 0
local prefix = "%(prefix)s"
local path = "%(path)s"
local per_request = %(per_request)d
local rate = %(rate)f
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic %(auth)s"

local function event(n)
  return string.format('{"type":"track","userId":"u%%d","event":"Product Viewed",' ..
    '"messageId":"%%s-%%d","properties":{"product_id":"p%%d","price":12.5,"currency":"EUR"},' ..
    '"context":{"page":{"path":"/p/%%d"},"userAgent":"Mozilla/5.0 (X11; Linux x86_64) ' ..
    'AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36","ip":"81.2.69.160"}}',
    n %% %(visitors)d, prefix, n, n %% 50, n %% 50)
end

request = function()
  if per_request == 1 then
    counter = counter + 1
    return wrk.format(nil, path, nil, event(counter))
  end
  local items = {}
  for i = 1, per_request do
    counter = counter + 1
    items[i] = event(counter)
  end
  return wrk.format(nil, path, nil, '{"batch":[' .. table.concat(items, ",") .. ']}')
end

-- A fixed request rate: every request has a due time, one interval after the last
-- (wrk's LuaJIT reads the monotonic clock through its FFI). A connection that finds
-- its request due sends at once, so a slow server gets a backlog, not a lighter load.
if rate > 0 then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } rapport_timespec;
    int clock_gettime(int clock, rapport_timespec *now);
  ]]
  local now = ffi.new("rapport_timespec")
  local interval = 1000 / rate
  local due = nil
  delay = function()
    ffi.C.clock_gettime(1, now)
    local ms = tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
    if due == nil then due = ms end
    due = due + interval
    if due <= ms then return 0 end
    return math.floor(due - ms)
  end
end
"""


@dataclass
class Run:
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx: int
    errors: int


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["/usr/bin/apt-get", "install", "-y", "-q", "wrk"], check=True,
                   capture_output=True)  # fmt: skip
    return shutil.which("wrk") or "wrk"


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(
    url: str,
    *,
    auth: str,
    path: str,
    per_request: int,
    seconds: int,
    connections: int,
    prefix: str,
    rate: float = 0.0,
    visitors: int = 5_000,
) -> Run:
    """``rate``: requests a second to hold (0: as many as the server takes)."""
    script = _LUA % {"prefix": prefix, "path": path, "per_request": per_request,
                     "rate": rate, "auth": auth, "visitors": visitors}  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            [ensure_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
             "--timeout", "10s", "-s", f.name, url],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    finally:
        Path(f.name).unlink()
    dist = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)$", out, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Run(
        requests_per_s=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        # A percentile is missing when too few requests finished (the slow baseline).
        p50_ms=_ms(dist["50"]) if "50" in dist else float("nan"),
        p90_ms=_ms(dist["90"]) if "90" in dist else float("nan"),
        p99_ms=_ms(dist["99"]) if "99" in dist else float("nan"),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        errors=sum(map(int, errors.groups())) if errors else 0,
    )
