"""Decoding TopoJSON (arcs, quantisation, rings) into shapely polygons."""

from __future__ import annotations

import numpy as np
import shapely


def _decode_arcs(topology: dict) -> list[np.ndarray]:
    """Absolute coordinates of every arc: undo the delta encoding and the quantisation."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
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


def decode_topojson(topology: dict, object_name: str) -> list[tuple[str | None, dict, object]]:
    """``(id, properties, shapely geometry or None)`` for each member of a GeometryCollection.

    Handles Polygon and MultiPolygon (all the US Atlas uses); an invalid polygon is repaired
    with ``shapely.make_valid`` so every returned geometry is valid.
    """
    arcs = _decode_arcs(topology)
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
