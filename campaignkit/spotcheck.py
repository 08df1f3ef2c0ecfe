"""Draw units for a spot check (随机抽查), reproducibly, optionally one city at least each.

The draw uses ``random.Random(seed)`` over the units of a level in spec order, so the same
campaign, options and seed always give the same units; without a seed one is drawn from
``secrets`` and returned, to be printed with the result and quoted later.

>>> from campaignkit import load_campaign
>>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
>>> a = spot_check(c, n=5, seed=2024)
>>> a == spot_check(c, n=5, seed=2024), len(a.units), a.seed
(True, 5, 2024)
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .errors import CampaignkitError
from .spec import Campaign

__all__ = ["SpotCheck", "SpotCheckError", "spot_check"]


class SpotCheckError(CampaignkitError, ValueError):
    """A spot check that cannot be drawn (unknown unit or level, n below 1)."""


@dataclass(frozen=True)
class SpotCheck:
    """The drawn units (in spec order) and the seed that reproduces them."""

    seed: int
    units: tuple[str, ...]
    level: str = "county"
    pool: int = 0
    by_parent: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({}), compare=False)


def _resolve(campaign: Campaign, names: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for text in names:
        if campaign.has_unit(text):
            out.add(text)
            continue
        hits = campaign.match_units(text)
        if len(hits) != 1:
            raise SpotCheckError(f"--exclude {text!r}: "
                                 + ("no such unit" if not hits else
                                    f"ambiguous ({', '.join(hits)})"))
        out.add(hits[0])
    return out


def _allocate(n: int, sizes: list[int], rng: random.Random) -> list[int]:
    """Share ``n`` draws among groups: one each when n allows, the rest by size."""
    g = len(sizes)
    total = sum(sizes)
    if n >= total:
        return list(sizes)
    if n < g:
        # fewer draws than parents: n parents drawn at random, weighted by their size
        left_idx = [i for i in range(g) if sizes[i] > 0]
        out = [0] * g
        for _ in range(n):
            i = rng.choices(left_idx, weights=[sizes[j] for j in left_idx])[0]
            out[i] = 1
            left_idx.remove(i)
        return out
    base = [1] * g
    left = n - sum(base)
    room = [s - b for s, b in zip(sizes, base, strict=True)]
    weight = sum(room)
    quotas = [left * r / weight if weight else 0.0 for r in room]
    take = [min(int(q), r) for q, r in zip(quotas, room, strict=True)]
    rest = left - sum(take)
    # largest remainder first, ties broken by the seeded generator
    order = sorted(range(g), key=lambda i: (-(quotas[i] - int(quotas[i])), rng.random()))
    while rest > 0:
        for i in order:
            if rest == 0:
                break
            if take[i] < room[i]:
                take[i] += 1
                rest -= 1
    return [b + t for b, t in zip(base, take, strict=True)]


def spot_check(campaign: Campaign, *, n: int, seed: int | None = None, level: str = "county",
               stratify_by_parent: bool = False, exclude: Iterable[str] = ()) -> SpotCheck:
    """Draw ``n`` units of ``level`` at random, reproducibly, leaving out ``exclude``.

    With ``stratify_by_parent`` every parent (city) gets at least one unit when ``n``
    allows, and the remaining draws go to parents in proportion to their units (largest
    remainder, ties broken by the seeded generator); with fewer draws than parents, that
    many parents are drawn at random, weighted by their number of units, one unit each.
    Units already checked (``exclude``, codes or names) are never drawn. ``n`` above the
    pool size draws the whole pool.

    >>> from campaignkit import load_campaign
    >>> c = load_campaign("data_samples/hubei_huimin_2024/campaign.yaml")
    >>> s = spot_check(c, n=13, seed=7, stratify_by_parent=True)
    >>> len(s.units), len(s.by_parent), all(len(v) == 1 for v in s.by_parent.values())
    (13, 13, True)
    """
    if n < 1:
        raise SpotCheckError(f"-n must be at least 1, got {n}")
    if not campaign.units_at(level):
        raise SpotCheckError(f"no units of level {level!r} in campaign {campaign.id}")
    if seed is None:
        seed = secrets.randbelow(2**32)
    rng = random.Random(seed)
    skip = _resolve(campaign, exclude)
    pool = [u for u in campaign.units_at(level) if u.code not in skip]
    order = {u.code: i for i, u in enumerate(campaign.units)}
    if not stratify_by_parent:
        picked = rng.sample([u.code for u in pool], min(n, len(pool)))
        groups: dict[str, list[str]] = {}
        for code in picked:
            groups.setdefault(campaign.unit(code).parent or "", []).append(code)
    else:
        groups_all: dict[str, list[str]] = {}
        for u in pool:
            groups_all.setdefault(u.parent or "", []).append(u.code)
        keys = list(groups_all)
        counts = _allocate(n, [len(groups_all[k]) for k in keys], rng)
        groups = {}
        for k, cnt in zip(keys, counts, strict=True):
            if cnt:
                groups[k] = rng.sample(groups_all[k], cnt)
        picked = [c for v in groups.values() for c in v]
    units = tuple(sorted(picked, key=order.__getitem__))
    by_parent = MappingProxyType({k: tuple(sorted(v, key=order.__getitem__))
                                  for k, v in sorted(groups.items(),
                                                     key=lambda kv: order.get(kv[0], -1))})
    return SpotCheck(seed=seed, units=units, level=level, pool=len(pool), by_parent=by_parent)
