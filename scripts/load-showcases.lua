-- wrk script of scripts/bench-replicas.sh: the showcase API as visitors and an organiser use
-- it, from the environment's TOKEN (an organiser's API token), SLUG (a published showcase
-- of theirs) and CASES (its case ids, comma-separated). Of every ten requests: six public
-- reads of the showcase, two of the organiser's list (the token checked and its last use
-- recorded), two edits of a note (a write transaction). Counts answers per status like
-- load.lua (printed by done() as `status CODE COUNT`).
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("TOKEN") or ""
  slug = os.getenv("SLUG") or "missing"
  cases = {}
  for case in string.gmatch(os.getenv("CASES") or "", "[^,]+") do cases[#cases + 1] = case end
  if #cases == 0 then cases = { "missing" } end
  i = offset or 0
  counts = {}
end

function request()
  i = i + 1
  local roll = i % 10
  local auth = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  if roll < 6 then
    return wrk.format("GET", "/api/showcases/" .. slug)
  elseif roll < 8 then
    return wrk.format("GET", "/api/showcases", auth)
  else
    local case = cases[(i % #cases) + 1]
    return wrk.format("PATCH", "/api/showcases/" .. slug .. "/items/" .. case, auth, '{"note": "nota ' .. i .. '"}')
  end
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
