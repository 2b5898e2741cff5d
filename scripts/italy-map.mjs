// Converts the region outlines of the npm package @svg-maps/italy (CC BY 4.0, by Victor
// Cazanave, from MapSVG's map of Italy) into web/map/italy-regions.tsv: one line per region,
// its id in corpus/taxonomy.yaml, the package's name for it, and its SVG path (unchanged).
// A development tool, run once when the outlines change; the server only reads the TSV.
//
//   mkdir -p /tmp/italy && cd /tmp/italy && npm pack @svg-maps/italy@2.0.0 && tar xzf svg-maps-italy-2.0.0.tgz
//   node scripts/italy-map.mjs /tmp/italy/package/index.js > web/map/italy-regions.tsv
import { pathToFileURL } from "node:url";

const source = process.argv[2];
if (!source) {
  console.error("usage: node scripts/italy-map.mjs PATH/TO/@svg-maps/italy/index.js > web/map/italy-regions.tsv");
  process.exit(2);
}
const { default: map } = await import(pathToFileURL(source).href);
// The package's region ids -> the taxonomy's NUTS-2 based ids.
const ids = {
  "abruzzo": "ITF1", "aosta-valley": "ITC2", "apulia": "ITF4", "basilicata": "ITF5", "calabria": "ITF6",
  "campania": "ITF3", "emilia-romagna": "ITH5", "friuli-venezia-giulia": "ITH4", "lazio": "ITI4",
  "liguria": "ITC3", "lombardy": "ITC4", "marche": "ITI3", "molise": "ITF2", "piedmont": "ITC1",
  "sardinia": "ITG2", "sicily": "ITG1", "trentino-south-tyrol": "ITH1-ITH2", "tuscany": "ITI1",
  "umbria": "ITI2", "veneto": "ITH3",
};
const lines = [
  "# The outlines of the 20 Italian regions drawn by the map on the home and search pages.",
  "# Source: the npm package @svg-maps/italy 2.0.0 by Victor Cazanave, based on the map of Italy",
  "# by MapSVG (https://mapsvg.com/maps/italy), licensed under Creative Commons Attribution 4.0",
  "# International (https://creativecommons.org/licenses/by/4.0/). Changes: each path is matched",
  "# to its region's id in corpus/taxonomy.yaml; the paths are unchanged.",
  "# Columns: region id, the package's region name, SVG path. The viewBox is below.",
  `viewBox\t${map.viewBox}`,
];
for (const location of map.locations) {
  const id = ids[location.id];
  if (!id) throw new Error(`no taxonomy id for the package's region ${location.id}`);
  lines.push(`${id}\t${location.name}\t${location.path}`);
}
process.stdout.write(lines.join("\n") + "\n");
