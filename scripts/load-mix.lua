-- wrk script: replays the request paths of a file (one /api/search?... per line), in order,
-- round-robin. Set PATHS_FILE in the environment (scripts/bench-compare.sh does).
local paths = {}
local file = io.open(os.getenv("PATHS_FILE") or "paths.txt", "r")
if file then
  for line in file:lines() do paths[#paths + 1] = line end
  file:close()
end
if #paths == 0 then paths = { "/api/search" } end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
