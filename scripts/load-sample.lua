-- wrk script: a mix of /api/search requests on the sample corpus (see scripts/bench-http.sh).
local queries = {
  "q=telemedicina", "q=AI+manufacturing", "q=smart+city+Torino", "q=energia+rinnovabile",
  "q=blockchain&sector=agrifood", "q=realt%C3%A0+virtuale", "q=cybersecurity&region=IT",
  "q=telemedicna", "q=parc", "sector=health&sector=ict", "region=Lombardia&year_from=2019",
  "", "q=digital+twin&lang=it", "q=pmi+credito&region=Veneto", "q=open+data&year=2022",
  "q=robot&sort=year_desc", "q=formazione+docenti", "q=logistica+porto&per_page=20",
  "q=intelligenza+artificiale+ospedale", "q=-blockchain+energia",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/search?" .. queries[(i % #queries) + 1])
end
