"""Spot checks (随机抽查): reproducible draws, stratified by city, excluding units checked."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignkit.cli import main
from campaignkit.spotcheck import SpotCheckError, spot_check

from .conftest import HUBEI


def test_same_seed_same_units(hubei):
    a = spot_check(hubei, n=10, seed=20241130)
    b = spot_check(hubei, n=10, seed=20241130)
    assert a.units == b.units and a.seed == 20241130
    assert len(set(a.units)) == 10
    assert all(hubei.unit(u).level == "county" for u in a.units)
    # units come back in spec order
    order = [u.code for u in hubei.units]
    assert list(a.units) == sorted(a.units, key=order.index)
    assert spot_check(hubei, n=10, seed=1).units != a.units


def test_without_a_seed_one_is_drawn_and_returned(hubei):
    s = spot_check(hubei, n=5)
    assert isinstance(s.seed, int)
    assert spot_check(hubei, n=5, seed=s.seed).units == s.units


def test_exclude_units_already_checked(hubei):
    first = spot_check(hubei, n=20, seed=3)
    second = spot_check(hubei, n=20, seed=3, exclude=first.units)
    assert not set(first.units) & set(second.units)
    assert second.pool == 99 - 20
    # names and aliases work as well as codes
    named = spot_check(hubei, n=99, seed=3, exclude=["江岸区", "武汉市江汉区"])
    assert {"HB0101", "HB0102"}.isdisjoint(named.units) and len(named.units) == 97
    with pytest.raises(SpotCheckError):
        spot_check(hubei, n=3, exclude=["不存在区"])


def test_stratified_at_least_one_per_city(hubei):
    # 13 cities have counties (仙桃, 潜江, 天门, 神农架 are listed once, without counties)
    s = spot_check(hubei, n=13, seed=11, stratify_by_parent=True)
    per_city = Counter(hubei.unit(u).parent for u in s.units)
    assert len(per_city) == 13 and set(per_city.values()) == {1}
    # 30 draws: one each (13), the other 17 shared by size (武汉 and 宜昌 have 13 counties,
    # 鄂州 and 随州 3): quotas 17 × (size − 1) / (99 − 13)
    s = spot_check(hubei, n=30, seed=11, stratify_by_parent=True)
    per_city = Counter(hubei.unit(u).parent for u in s.units)
    assert sum(per_city.values()) == 30 and len(per_city) == 13
    sizes = Counter(u.parent for u in hubei.units_at("county"))
    for city, k in per_city.items():
        quota = 1 + 17 * (sizes[city] - 1) / (99 - 13)
        assert abs(k - quota) < 1, (city, k, quota)
    assert per_city["HB01"] >= per_city["HB06"]


def test_stratified_with_fewer_draws_than_cities(hubei):
    s = spot_check(hubei, n=5, seed=2, stratify_by_parent=True)
    parents = [hubei.unit(u).parent for u in s.units]
    assert len(s.units) == 5 and len(set(parents)) == 5
    # cities are drawn at random (weighted by size), not always the five largest
    drawn = {frozenset(hubei.unit(u).parent for u in
                       spot_check(hubei, n=5, seed=k, stratify_by_parent=True).units)
             for k in range(20)}
    assert len(drawn) > 1


def test_more_than_the_pool_draws_everything(hubei):
    assert len(spot_check(hubei, n=500, seed=1).units) == 99
    assert spot_check(hubei, n=5, seed=1, level="city").units[0].startswith("HB")
    with pytest.raises(SpotCheckError):
        spot_check(hubei, n=0)
    with pytest.raises(SpotCheckError):
        spot_check(hubei, n=2, level="township")


@given(n=st.integers(1, 120), seed=st.integers(0, 2**32 - 1), strat=st.booleans(),
       skip=st.sets(st.integers(0, 98), max_size=30))
def test_property_draws_are_valid(hubei, n, seed, strat, skip):
    counties = [u.code for u in hubei.units_at("county")]
    exclude = [counties[i] for i in skip]
    s = spot_check(hubei, n=n, seed=seed, stratify_by_parent=strat, exclude=exclude)
    assert len(s.units) == min(n, 99 - len(skip)) == len(set(s.units))
    assert not set(s.units) & set(exclude)
    assert s == spot_check(hubei, n=n, seed=seed, stratify_by_parent=strat, exclude=exclude)


def test_cli_prints_the_seed(capsys):
    assert main(["spotcheck", str(HUBEI), "-n", "3", "--seed", "42", "--by-city"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("seed 42 — 3 of 99 county") and "--seed 42" in out[0]
    assert len(out) == 4 and all("\t" in line for line in out[1:])
    assert main(["spotcheck", str(HUBEI), "-n", "3", "--seed", "42", "--by-city",
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["seed"] == 42 and [u["unit"] for u in doc["units"]] == [
        line.split("\t")[0] for line in out[1:]]
    assert main(["spotcheck", str(HUBEI), "-n", "2", "--exclude", "不存在区"]) == 2
