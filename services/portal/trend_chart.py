"""A trend drawn as a bar chart by the server: the geometry of one figure month by month
(bars, the value axis and its ticks, which months are labelled), for the template
``planning/_chart.html`` to write as inline SVG. No script, nothing fetched."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

WIDTH = 640.0
HEIGHT = 260.0
LEFT = 48.0  # room for the value axis' numbers
RIGHT = 12.0
TOP = 16.0
BOTTOM = 40.0  # room for the months
# A month without a published figure is drawn as a hatched stub this high, so that it is
# visibly "something not shown" rather than a zero.
STUB = 14.0
MOST_MONTH_LABELS = 8


@dataclass(frozen=True)
class Bar:
    month: date
    value: int | None  # None: not published
    x: float
    y: float
    width: float
    height: float
    label_x: float
    labelled: bool  # whether the month is written under the axis


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    left: float
    right: float
    baseline: float
    bars: list[Bar]
    ticks: list[Tick]

    @property
    def shown(self) -> list[Bar]:
        return [bar for bar in self.bars if bar.value is not None]


def nice_top(largest: int) -> int:
    """The axis' top: the largest value rounded up to 1, 2, 2.5 or 5 × a power of ten."""
    if largest <= 0:
        return 1
    power = 1
    while power * 10 <= largest:
        power *= 10
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * power)
        if top >= largest:
            return top
    return 10 * power  # not reached


def ticks_for(top: int) -> list[int]:
    """Up to five whole values from 0 to ``top``, evenly spaced."""
    for parts in (4, 5, 2, 1):
        if top % parts == 0:
            step = top // parts
            return [step * i for i in range(parts + 1)]
    return [0, top]


def bar_chart(points: Sequence[tuple[date, int | None]]) -> Chart:
    """The bars of ``points`` (month, value; ``None`` when the month's figure was not
    published), in the order given."""
    baseline = HEIGHT - BOTTOM
    plot_height = baseline - TOP
    plot_width = WIDTH - LEFT - RIGHT
    values = [value for _, value in points if value is not None]
    top = nice_top(max(values, default=0))
    slot = plot_width / max(len(points), 1)
    width = max(min(slot * 0.7, 48.0), 2.0)
    every = max(1, -(-len(points) // MOST_MONTH_LABELS))  # ceiling division
    bars = []
    for index, (month, value) in enumerate(points):
        x = LEFT + slot * index + (slot - width) / 2
        height = STUB if value is None else plot_height * max(value, 0) / top
        last = index == len(points) - 1
        bars.append(
            Bar(
                month=month,
                value=value,
                x=round(x, 1),
                y=round(baseline - height, 1),
                width=round(width, 1),
                height=round(height, 1),
                label_x=round(x + width / 2, 1),
                labelled=index % every == 0 or last,
            )
        )
    # The last month is always labelled; drop a label just before it that would overlap.
    if len(bars) > 1 and every > 1 and (len(bars) - 1) % every != 0:
        near = (len(bars) - 1) // every * every
        if len(bars) - 1 - near < every / 2 + 1:
            bar = bars[near]
            bars[near] = Bar(**{**bar.__dict__, "labelled": False})
    ticks = [
        Tick(value, round(baseline - plot_height * value / top, 1)) for value in ticks_for(top)
    ]
    return Chart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, baseline, bars, ticks)
