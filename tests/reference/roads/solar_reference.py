#!/usr/bin/python3
"""Independent sunset and end-of-civil-twilight times for the NOAA implementation's tests.

PyEphem (Debian python3-ephem, the libastro ephemeris, VSOP87 for the Sun) at London and
Providence on the 1st and 15th of each month of 2007 and 2024. Sunset: upper limb on a
horizon 34' below the mathematical one, refraction switched off (pressure 0), which is the
USNO/NOAA convention (zenith 90.833 deg = 90 deg + 34' + the 16' semi-diameter).
Civil dusk: the Sun's centre 6 deg below the horizon. Each search starts at local mean solar
noon of the date. Writes JSON to stdout (committed as solar_reference.json).
"""
import json
import sys

try:
    import ephem
except ImportError:
    print(json.dumps({"skip": "python3-ephem is not installed"}))
    sys.exit(0)

PLACES = {"London": (51.5074, -0.1278), "Providence": (41.824, -71.413)}


def event(lat, lng, date, horizon, use_center):
    observer = ephem.Observer()
    observer.lat, observer.lon = str(lat), str(lng)
    observer.elevation = 0
    observer.pressure = 0
    observer.horizon = horizon
    noon = ephem.Date(date) + 0.5 - lng / 360.0
    observer.date = noon
    when = observer.next_setting(ephem.Sun(), use_center=use_center)
    return when.datetime().strftime("%Y-%m-%dT%H:%M:%SZ")


rows = []
for place, (lat, lng) in PLACES.items():
    for year in (2007, 2024):
        for month in range(1, 13):
            for day in (1, 15):
                date = f"{year}/{month}/{day}"
                rows.append({
                    "place": place, "lat": lat, "lng": lng, "date": f"{year:04d}-{month:02d}-{day:02d}",
                    "sunset_utc": event(lat, lng, date, "-0:34", False),
                    "civil_dusk_utc": event(lat, lng, date, "-6", True),
                })

print(json.dumps({"source": "PyEphem " + ephem.__version__, "events": rows}, indent=1))
