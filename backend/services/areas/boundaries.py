"""Areas (police forces or rural crime teams' patches) and routing a report's point to one of them."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
import sqlite_utils
from shapely.geometry import shape
from shapely.strtree import STRtree

from backend.db import db_path
from backend.writes import write

NATIONS = ("england_wales", "scotland", "northern_ireland")


@dataclass(frozen=True)
class Area:
    id: int
    name: str
    force: str
    nation: str

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "force": self.force}


class AreaIndex:
    """Point-in-polygon over every area, through an R-tree of their bounding boxes (shapely's STRtree)."""

    def __init__(self, rows: list[Any]) -> None:
        self.areas = [Area(r["id"], r["name"], r["force"], r["nation"]) for r in rows]
        self.geoms = [shape(json.loads(r["geometry"])) for r in rows]
        for g in self.geoms:
            shapely.prepare(g)
        self.tree = STRtree(self.geoms) if self.geoms else None
        self.by_id = {a.id: a for a in self.areas}

    def locate(self, lat: float, lon: float) -> Area | None:
        """The area holding the point; where areas nest (a team's patch in a force), the smallest wins."""
        if self.tree is None:
            return None
        point = shapely.Point(lon, lat)
        hits = [i for i in self.tree.query(point, predicate="intersects")]
        if not hits:
            return None
        best = min(hits, key=lambda i: self.geoms[i].area)
        return self.areas[best]


_cache: dict[str, tuple[str, AreaIndex]] = {}
_cache_lock = threading.Lock()


def _version(db: sqlite_utils.Database) -> str:
    row = db.execute("SELECT value FROM meta WHERE key = 'areas_version'").fetchone()
    return row[0] if row else "0"


def area_index(db: sqlite_utils.Database) -> AreaIndex:
    """The index for this database, rebuilt only when an import has changed the areas."""
    key = db_path(db)
    version = _version(db)
    with _cache_lock:
        cached = _cache.get(key)
        if cached and cached[0] == version:
            return cached[1]
    rows = db.execute("SELECT id, name, force, nation, geometry FROM areas ORDER BY id").fetchall()
    index = AreaIndex(rows)
    with _cache_lock:
        _cache[key] = (version, index)
    return index


class AreaImportError(ValueError):
    pass


def _features_from_geojson(data: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    if data.get("type") == "FeatureCollection":
        features = data.get("features") or []
    elif data.get("type") == "Feature":
        features = [data]
    else:
        raise AreaImportError("expected a GeoJSON FeatureCollection or Feature")
    return [(f.get("properties") or {}, f.get("geometry") or {}) for f in features]


def _features_from_kml(text: str, name: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """data.police.uk publishes each force's boundary as KML: one or more polygons of lon,lat[,alt]."""
    root = ET.fromstring(text)
    polygons = []
    for elem in root.iter():
        if elem.tag.endswith("Polygon"):
            rings = []
            for coords in elem.iter():
                if coords.tag.endswith("coordinates") and coords.text:
                    ring = [[float(v) for v in p.split(",")[:2]] for p in coords.text.split()]
                    rings.append(ring)
            if rings:
                polygons.append([rings[0], *rings[1:]])
    if not polygons:
        raise AreaImportError("no polygons found in the KML file")
    return [({"name": name}, {"type": "MultiPolygon", "coordinates": polygons})]


def import_areas(
    db: sqlite_utils.Database,
    path: Path,
    *,
    force: str | None = None,
    nation: str | None = None,
    demo: bool | None = None,
) -> list[str]:
    """Load areas from GeoJSON (properties `name`, `force`, `nation`) or a data.police.uk KML file.

    An area with the same force and name is replaced. Returns the names loaded.
    """
    text = path.read_text()
    if path.suffix.lower() == ".kml":
        features = _features_from_kml(text, force or path.stem.replace("-", " ").title())
    else:
        try:
            features = _features_from_geojson(json.loads(text))
        except json.JSONDecodeError as exc:
            raise AreaImportError(f"not valid JSON: {exc}") from exc
    rows = []
    for props, geometry in features:
        name = props.get("name")
        area_force = force or props.get("force") or name
        area_nation = nation or props.get("nation") or "england_wales"
        if not name or not area_force:
            raise AreaImportError("every area needs a name (and a force, from the file or --force)")
        if area_nation not in NATIONS:
            raise AreaImportError(f"nation must be one of {', '.join(NATIONS)}, not {area_nation!r}")
        try:
            geom = shape(geometry)
        except Exception as exc:  # shapely raises several types for bad geometry
            raise AreaImportError(f"{name}: bad geometry: {exc}") from exc
        if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
            raise AreaImportError(f"{name}: expected a Polygon or MultiPolygon")
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        min_lon, min_lat, max_lon, max_lat = geom.bounds
        rows.append(
            {
                "name": name,
                "force": area_force,
                "nation": area_nation,
                "kind": props.get("kind", "force"),
                "demo": int(bool(props.get("demo", False) if demo is None else demo)),
                "geometry": json.dumps(shapely.geometry.mapping(geom)),
                "min_lon": min_lon,
                "min_lat": min_lat,
                "max_lon": max_lon,
                "max_lat": max_lat,
            }
        )
    with write(db):
        for row in rows:
            existing = db.execute(
                "SELECT id FROM areas WHERE force = ? AND name = ?", [row["force"], row["name"]]
            ).fetchone()
            if existing:
                db["areas"].update(existing[0], row)
            else:
                db["areas"].insert(row)
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('areas_version', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )
    reroute_unrouted(db)
    return [r["name"] for r in rows]


def reroute_unrouted(db: sqlite_utils.Database) -> int:
    """Route the reports that fell outside every area, now that more areas may exist. Returns how many."""
    index = area_index(db)
    rows = db.execute("SELECT id, lat, lon FROM reports WHERE area_id IS NULL").fetchall()
    moved = 0
    with write(db):
        for row in rows:
            area = index.locate(row["lat"], row["lon"])
            if area is not None:
                db.execute("UPDATE reports SET area_id = ?, force = ? WHERE id = ?", [area.id, area.force, row["id"]])
                moved += 1
    return moved


def unrouted(db: sqlite_utils.Database, limit: int) -> list[dict[str, Any]]:
    """The reports whose point lies outside every area (as `reroute_unrouted` finds them), oldest first."""
    rows = db.execute(
        "SELECT id, category, lat, lon, received_at FROM reports WHERE area_id IS NULL ORDER BY received_at LIMIT ?",
        [limit],
    ).fetchall()
    return [dict(r) for r in rows]


def forces(db: sqlite_utils.Database) -> list[str]:
    """Every force that has an area, alphabetically: the forces this server knows."""
    return [r[0] for r in db.execute("SELECT DISTINCT force FROM areas ORDER BY force").fetchall()]


def areas_of(db: sqlite_utils.Database, force: str | None) -> list[dict[str, Any]]:
    """The id and name of each of a force's areas, by name."""
    rows = db.execute("SELECT id, name FROM areas WHERE force = ? ORDER BY name", [force]).fetchall()
    return [dict(r) for r in rows]
