-- wrk_report.lua - shared by the bench/*.lua wrk scripts: the Authorization header and the
-- one-line summary (requests/s, p99 latency, errors) that bench/load.sh prints.
local report = {}

function report.auth_headers()
  local token = os.getenv("HANGAR_TOKEN") or ""
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
end

function report.done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "%s %10.1f req/s   p50 %7.2f ms   p99 %7.2f ms   requests %d   " ..
    "errors: status %d, connect %d, read %d, write %d, timeout %d\n",
    os.getenv("BENCH_LABEL") or "", summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests,
    e.status, e.connect, e.read, e.write, e.timeout))
end

return report
