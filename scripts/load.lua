-- wrk script of scripts/load.sh: replays the request paths of PATHS_FILE (one per line) in
-- order, round-robin, each thread from its own offset, and counts answers per status code
-- across all threads (printed by done() as `status CODE COUNT`).
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  local file = io.open(os.getenv("PATHS_FILE") or "paths.txt", "r")
  if file then
    for line in file:lines() do paths[#paths + 1] = line end
    file:close()
  end
  if #paths == 0 then paths = { "/api/search" } end
  i = offset or 0
  counts = {}
end

function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for status, n in pairs(c) do total[status] = (total[status] or 0) + n end
  end
  for status, n in pairs(total) do io.write(string.format("status %d %d\n", status, n)) end
  io.write(string.format("latency p50_ms %.3f p90_ms %.3f p99_ms %.3f max_ms %.3f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("totals requests %d seconds %.1f connect_errors %d read_errors %d write_errors %d timeouts %d\n",
    summary.requests, summary.duration / 1e6, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout))
end
