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


def _polygon(rings: list[list[int]], arcs: list[np.ndarray]) -> shapely.Polygon | None:
    # Quantisation can collapse a tiny ring to fewer than four points: such a ring has no area,
    # so it is dropped (a collapsed shell drops its polygon).
    shell, *holes = (_ring(r, arcs) for r in rings)
    if len(shell) < 4:
        return None
    return shapely.Polygon(shell, [h for h in holes if len(h) >= 4])


def decode_topojson(
    topology: dict, object_name: str, arcs: list[np.ndarray] | None = None
) -> list[tuple[str | None, dict, object]]:
    """``(id, properties, shapely geometry or None)`` for each member of a GeometryCollection.

    Handles Polygon and MultiPolygon (all the US Atlas uses); an invalid polygon is repaired
    with ``shapely.make_valid`` so every returned geometry is valid. ``arcs``: the topology's
    :func:`decode_arcs`, when the caller already has them.
    """
    if arcs is None:
        arcs = decode_arcs(topology)
    features = []
    for geom in topology["objects"][object_name]["geometries"]:
        kind = geom.get("type")
        if kind == "Polygon":
            shape = _polygon(geom["arcs"], arcs)
        elif kind == "MultiPolygon":
            parts = [_polygon(p, arcs) for p in geom["arcs"]]
            shape = shapely.MultiPolygon([p for p in parts if p is not None])
        elif kind is None:
            shape = None
        else:
            raise ValueError(f"TopoJSON {object_name}: unsupported geometry type {kind!r}")
        if shape is not None and not shape.is_valid:
            # "structure" keeps the result polygonal (no stray lines from collapsed slivers).
            shape = shapely.make_valid(shape, method="structure", keep_collapsed=False)
        features.append((geom.get("id"), geom.get("properties", {}), shape))
    return features
