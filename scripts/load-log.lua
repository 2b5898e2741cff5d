-- wrk script: replays a request log (one path per line, PATHS_FILE) in order. Each wrk thread
-- starts at its own share of the log, so two threads do not send the same sequence twice
-- (scripts/bench-cache.sh uses it: a duplicated sequence would inflate the cache's hit rate).
local threads = 0
setup = function(thread)
  thread:set("id", threads)
  threads = threads + 1
end

local paths = {}
local i = 0
init = function()
  local file = io.open(os.getenv("PATHS_FILE") or "paths.txt", "r")
  if file then
    for line in file:lines() do paths[#paths + 1] = line end
    file:close()
  end
  if #paths == 0 then paths = { "/api/search" } end
  local shares = tonumber(os.getenv("WRK_THREADS") or "2")
  i = math.floor((id or 0) * #paths / shares)
end

request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
