"""The alerts benchmark at a small size: it runs, its table has every row, and the selection it times is the one a
brute-force comparison of every place gives (the R*Tree loses no device and keeps none too many)."""

from __future__ import annotations

import random
from pathlib import Path

from backend.db import connect
from backend.services.alerts import reach
from backend.services.alerts.geometry import circles_meet
from tests.benchmarks import bench_alerts


def test_the_alerts_benchmark_runs_small_and_selects_exactly_the_devices_a_brute_force_search_finds(
    tmp_path: Path,
) -> None:
    table = bench_alerts.main(["--devices", "1500", "--active", "5", "--keep", str(tmp_path)])
    assert table.startswith("1,500 devices with 4,500 alert places; 105 alerts, 5 in force")
    assert table.count("| yes |") == 4
    db = connect(tmp_path / "hedgerow.db")
    try:
        places = db.execute("SELECT device_id, lat, lon, radius_km FROM alert_places").fetchall()
        rng = random.Random(7)
        sizes = []
        for _ in range(25):
            lat, lon, radius = rng.uniform(50.3, 53.7), rng.uniform(-4.4, 1.4), rng.choice((1.0, 5.0, 20.0, 60.0))
            brute = sorted({p[0] for p in places if circles_meet(lat, lon, radius, p[1], p[2], p[3])})
            assert reach.devices_reached(db, lat, lon, radius) == brute
            sizes.append(len(brute))
        assert max(sizes) > 50 and min(sizes) < max(sizes)
    finally:
        db.close()
