"""Small-count suppression for the response-time summaries, so that no figure singles out a farm.

Primary suppression: a figure built on 1 to 4 reports is shown as "fewer than 5", and nothing is derived from it
(no share, no time). A count of 0 describes nobody and is shown.

Secondary suppression: tables publish totals (a force's figure is the sum of its areas', every table sums to the
period's total), and a hidden figure must not be recoverable by subtraction from them. Each such sum is an
equation `total = member + member + ...`; treating the hidden figures as unknowns, a hidden figure is recoverable
exactly when the published figures and the equations together determine it (linear algebra over the rationals).
While any hidden figure is determined, one more figure of an equation it appears in is hidden: the one built on
the fewest reports (but at least one), which loses the least.

Shares are protected the same way as counts (by the number of reports each is built on): a total's share is
the sum of its members' numerators over the sum of their bases, so it is additive in the same equations.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

THRESHOLD = 5
Hidden = Literal["small", "hidden"]


@dataclass(frozen=True)
class Equation:
    """`total` is the sum of `members` (each a cell's key)."""

    total: Hashable
    members: tuple[Hashable, ...]

    def cells(self) -> tuple[Hashable, ...]:
        return (self.total, *self.members)


def is_small(base: int) -> bool:
    return 0 < base < THRESHOLD


def determined(hidden: Iterable[Hashable], equations: Sequence[Equation]) -> list[Hashable]:
    """The hidden cells whose value the equations fix, given every other cell's published value.

    Row-reduces the equations restricted to the hidden cells: a cell is fixed exactly when its reduced row
    has no other unknown left in it.
    """
    order = list(dict.fromkeys(hidden))
    index = {key: i for i, key in enumerate(order)}
    rows: list[dict[int, Fraction]] = []
    for eq in equations:
        row: dict[int, Fraction] = {}
        if eq.total in index:
            row[index[eq.total]] = row.get(index[eq.total], Fraction(0)) - 1
        for member in eq.members:
            if member in index:
                row[index[member]] = row.get(index[member], Fraction(0)) + 1
        row = {c: v for c, v in row.items() if v != 0}
        if row:
            rows.append(row)
    pivot_rows: dict[int, dict[int, Fraction]] = {}
    for row in rows:
        # Reduce by the pivots found so far, then make this row's first unknown a new pivot.
        for col in sorted(c for c in list(row) if c in pivot_rows):
            factor = row.get(col)
            if not factor:
                continue
            for c, v in pivot_rows[col].items():
                row[c] = row.get(c, Fraction(0)) - factor * v
            row = {c: v for c, v in row.items() if v != 0}
        if not row:
            continue
        col = min(row)
        lead = row[col]
        row = {c: v / lead for c, v in row.items()}
        for other in pivot_rows.values():
            factor = other.get(col)
            if factor:
                for c, v in row.items():
                    other[c] = other.get(c, Fraction(0)) - factor * v
                for c in [c for c, v in other.items() if v == 0]:
                    del other[c]
        pivot_rows[col] = row
    return [order[col] for col, row in sorted(pivot_rows.items()) if len(row) == 1]


def protect(bases: dict[Hashable, int], equations: Sequence[Equation]) -> dict[Hashable, Hidden]:
    """Which cells to hide: 'small' (built on 1 to 4 reports) or 'hidden' (so that a small one stays hidden).

    `bases` gives every cell's number of reports; every cell an equation names must be in it.
    """
    hidden: dict[Hashable, Hidden] = {key: "small" for key, base in bases.items() if is_small(base)}
    if not hidden:
        return hidden
    equations = [eq for eq in equations if len(eq.cells()) > 1]
    by_cell: dict[Hashable, list[Equation]] = {}
    for eq in equations:
        for cell in eq.cells():
            by_cell.setdefault(cell, []).append(eq)
    while True:
        fixed = determined(hidden, equations)
        if not fixed:
            return hidden
        options = [(cell, _complements(cell, hidden, by_cell, bases)) for cell in fixed]
        complement = None
        # Members of an equation before totals (a total is the figure readers most want). Among each kind, one
        # that frees a fixed cell on its own if there is one; else the first, and the next round goes on.
        for kind in (0, 1):
            ranked = [(cell, others[kind]) for cell, others in options if others[kind]]
            complement = next(
                (
                    other
                    for cell, others in ranked
                    for other in others
                    if cell not in determined([*hidden, other], equations)
                ),
                ranked[0][1][0] if ranked else None,
            )
            if complement is not None:
                break
        if complement is None:  # every cell tied to a fixed one is hidden already: nothing more can be done
            return hidden
        hidden[complement] = "hidden"


def _complements(
    cell: Hashable,
    hidden: dict[Hashable, Hidden],
    by_cell: dict[Hashable, list[Equation]],
    bases: dict[Hashable, int],
) -> tuple[list[Hashable], list[Hashable]]:
    """The published cells that could be hidden beside `cell` (those in an equation with it): (members, totals),
    each best first: cells built on some reports before empty ones, fewest reports first."""
    candidates: list[tuple[bool, int, int, bool, Hashable]] = []
    seen: set[Hashable] = set()
    for rank, eq in enumerate(by_cell.get(cell, [])):
        for position, other in enumerate(eq.cells()):
            if other in hidden or other in seen:
                continue
            seen.add(other)
            base = bases[other]
            candidates.append((base == 0, base, rank, position == 0, other))
    candidates.sort(key=lambda c: c[:3])
    return [c[-1] for c in candidates if not c[3]], [c[-1] for c in candidates if c[3]]
