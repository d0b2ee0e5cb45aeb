"""Decoding TopoJSON (arcs, quantisation, rings) into shapely polygons."""

from __future__ import annotations

import numpy as np
import shapely


def decode_arcs(topology: dict) -> list[np.ndarray]:
    """Absolute coordinates of every arc: undo the delta encoding and the quantisation."""
    transform = topology.get("transform")
    raw = topology["arcs"]
    if not raw:
        return []
    lengths = np.fromiter((len(arc) for arc in raw), dtype=np.int64, count=len(raw))
    try:
        points = np.array([p for arc in raw for p in arc], dtype=float)
    except ValueError:  # positions of different lengths (an extra value per position)
        points = None
    if points is None or points.ndim != 2 or points.shape[1] != 2 or (lengths == 0).any():
        return _decode_arcs_each(raw, transform)
    # All arcs at once: the per-arc running sums taken as one cumulative sum minus the sum
    # before each arc. Quantised positions are integers, so the sums are exact and the points
    # equal the arc-by-arc result (a test checks this).
    ends = np.cumsum(lengths)
    if transform is not None:
        total = np.cumsum(points, axis=0)
        before = np.vstack([np.zeros((1, 2)), total[ends[:-1] - 1]])
        points = (total - np.repeat(before, lengths, axis=0)) * transform["scale"] + transform[
            "translate"
        ]
    return np.split(points, ends[:-1])


def _decode_arcs_each(raw: list, transform: dict | None) -> list[np.ndarray]:
    arcs = []
    for arc in raw:
        points = np.asarray(arc, dtype=float)[:, :2]
        if transform is not None:
            points = np.cumsum(points, axis=0) * transform["scale"] + transform["translate"]
        arcs.append(points)
    return arcs


def _ring(indices: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    """Join arcs into a ring; index ~i means arc i reversed; shared end points appear once."""
    parts = []
    for k, index in enumerate(indices):
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        parts.append(arc if k == 0 else arc[1:])
    return np.concatenate(parts)


def decode_topojson(
    topology: dict, object_name: str, arcs: list[np.ndarray] | None = None
) -> list[tuple[str | None, dict, object]]:
    """``(id, properties, shapely geometry or None)`` for each member of a GeometryCollection.

    Handles Polygon and MultiPolygon (all the US Atlas uses); an invalid polygon is repaired
    with ``shapely.make_valid`` so every returned geometry is valid. ``arcs``: the topology's
    :func:`decode_arcs`, when the caller already has them. The rings and polygons are built in
    one vectorised call each (the same geometries as ``shapely.Polygon`` one by one).
    """
    if arcs is None:
        arcs = decode_arcs(topology)
    members = topology["objects"][object_name]["geometries"]
    rings, ring_polygon, polygon_member = [], [], []
    for m, geom in enumerate(members):
        kind = geom.get("type")
        if kind not in ("Polygon", "MultiPolygon", None):
            raise ValueError(f"TopoJSON {object_name}: unsupported geometry type {kind!r}")
        parts = [geom["arcs"]] if kind == "Polygon" else geom.get("arcs", []) if kind else []
        for part in parts:
            shell, *holes = (_ring(r, arcs) for r in part)
            # Quantisation can collapse a tiny ring to fewer than four points: such a ring has
            # no area, so it is dropped (a collapsed shell drops its polygon).
            if len(shell) < 4:
                continue
            for ring in [shell] + [h for h in holes if len(h) >= 4]:
                rings.append(ring)
                ring_polygon.append(len(polygon_member))
            polygon_member.append(m)
    polygons = np.empty(len(polygon_member), dtype=object)
    if rings:
        lengths = [len(r) for r in rings]
        ring_of = np.repeat(np.arange(len(rings)), lengths)
        built = shapely.linearrings(np.concatenate(rings), indices=ring_of)
        polygons = shapely.polygons(built, indices=np.asarray(ring_polygon))
    per_member: list[list] = [[] for _ in members]
    for polygon, m in zip(polygons, polygon_member, strict=True):
        per_member[m].append(polygon)
    shapes = []
    for geom, parts in zip(members, per_member, strict=True):
        kind = geom.get("type")
        if kind == "Polygon":
            shapes.append(parts[0] if parts else None)
        elif kind == "MultiPolygon":
            shapes.append(shapely.MultiPolygon(parts))
        else:
            shapes.append(None)
    present = np.array([s is not None for s in shapes], dtype=bool)
    valid = np.ones(len(shapes), dtype=bool)
    if present.any():
        valid[present] = shapely.is_valid(np.array([s for s in shapes if s is not None]))
    features = []
    for geom, shape, ok in zip(members, shapes, valid, strict=True):
        if shape is not None and not ok:
            # "structure" keeps the result polygonal (no stray lines from collapsed slivers).
            shape = shapely.make_valid(shape, method="structure", keep_collapsed=False)
        features.append((geom.get("id"), geom.get("properties", {}), shape))
    return features
