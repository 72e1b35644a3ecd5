#!/usr/bin/env bash
# Independent reference for the stops import's boundary rule, computed by PostGIS: the rows of the
# 15 shared Met stop-and-search files whose coordinates lie in no London borough polygon
# (ST_Covers in WGS84, SRID 4326) and more than 100 m from every one (ST_DWithin in EPSG:27700).
# The stops tests compare the rows the import rejects as "outside the force boundary" with this list.
#
#   tests/reference/stops/outside_boundary.sh [CONNECTION_STRING] > tests/reference/stops/outside_boundary_100m.csv
#
# With no argument it starts a throwaway cluster with scripts/pg.sh. Needs ../shared/data.
set -euo pipefail
cd "$(dirname "$0")/../../.."
data=../shared/data
work=$(mktemp -d /tmp/stops-reference.XXXXXX)
cleanup() { [[ -n "${own_cluster:-}" ]] && scripts/pg.sh stop "$work/pg" >/dev/null; rm -rf "$work"; }
trap cleanup EXIT
if [[ $# -ge 1 ]]; then cs=$1; else own_cluster=1; cs=$(scripts/pg.sh start "$work/pg"); fi
host=$(sed -E 's/.*Host=([^;]+).*/\1/' <<<"$cs"); port=$(sed -E 's/.*Port=([^;]+).*/\1/' <<<"$cs")
db=stops_reference_$$
psql() { command psql -h "$host" -p "$port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
psql -d postgres -c "CREATE DATABASE $db TEMPLATE template1"
trap 'psql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null; cleanup' EXIT

/usr/bin/python3 - "$data" "$work" <<'PY'
import csv, glob, json, os, sys
data, work = sys.argv[1], sys.argv[2]
with open(os.path.join(work, "rows.csv"), "w", newline="") as out:
    w = csv.writer(out)
    for path in sorted(glob.glob(os.path.join(data, "police-uk/metropolitan-stop-and-search/*.csv"))):
        with open(path, encoding="utf-8-sig", newline="") as f:
            r = csv.reader(f)
            next(r)
            for row_number, row in enumerate(r, start=2):
                if row[4] and row[5]:
                    w.writerow([os.path.basename(path), row_number, row[4], row[5]])
with open(os.path.join(data, "boundaries/london_boroughs.geojson")) as f, open(os.path.join(work, "boroughs.tsv"), "w") as out:
    for feature in json.load(f)["features"]:
        out.write(json.dumps(feature["geometry"]) + "\n")
PY

psql -d "$db" <<SQL >/dev/null
CREATE TABLE rows (source text, row_number int, lat double precision, lng double precision);
\copy rows FROM '$work/rows.csv' CSV
CREATE TABLE boroughs (geojson text);
\copy boroughs FROM '$work/boroughs.tsv'
ALTER TABLE rows ADD COLUMN p geometry(Point, 4326);
UPDATE rows SET p = ST_SetSRID(ST_MakePoint(lng, lat), 4326);
ALTER TABLE boroughs ADD COLUMN g geometry, ADD COLUMN g27700 geometry;
UPDATE boroughs SET g = ST_SetSRID(ST_GeomFromGeoJSON(geojson), 4326);
UPDATE boroughs SET g27700 = ST_Transform(g, 27700);
SQL
echo "source,row_number"
psql -d "$db" -F , -c "
  SELECT source, row_number FROM rows r
  WHERE NOT EXISTS (SELECT 1 FROM boroughs b WHERE ST_Covers(b.g, r.p))
    AND NOT EXISTS (SELECT 1 FROM boroughs b WHERE ST_DWithin(b.g27700, ST_Transform(r.p, 27700), 100))
  ORDER BY source, row_number"
