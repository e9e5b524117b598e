"""One entry point for pages, exports and the CLI: phase results, 同比 results, monthly series, comparisons."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy.engine import Engine

from metrics.config import Config
from metrics.engine.compare import Row, compare_phase
from metrics.engine.compute import WindowResult, compute_windows, latest_data_date
from metrics.engine.db import is_sample
from metrics.engine.filters import Filters
from metrics.engine.windows import Window, phase_windows, same_period_last_year, series_months


class Dashboard:
    """The numbers of one database under one configuration. Stateless apart from the engine; cache outside."""

    def __init__(self, engine: Engine, config: Config):
        self.engine = engine
        self.config = config

    def default_as_of(self) -> dt.date | None:
        """display.as_of, else the latest date in the data, but never after today.

        One mistyped future date in the data (2099 for 2025) must not move the whole board into the future.
        """
        if self.config.as_of:
            return self.config.as_of
        with self.engine.connect() as conn:
            latest = latest_data_date(conn)
        return None if latest is None else min(latest, dt.date.today())

    def is_sample(self) -> bool:
        return is_sample(self.engine)

    def phase_windows(self, as_of: dt.date) -> list[Window]:
        return phase_windows(self.config, as_of)

    def phase_results(self, as_of: dt.date, filters: Filters = Filters()) -> dict[str, WindowResult]:
        windows = self.phase_windows(as_of)
        results = compute_windows(self.engine, self.config, windows, filters)
        return {w.key: r for w, r in zip(windows, results, strict=True)}

    def last_year_results(self, as_of: dt.date, filters: Filters = Filters()) -> dict[str, WindowResult]:
        """The same calendar window one year before each phase (its observed part)."""
        windows = self.phase_windows(as_of)
        shifted = [self._comparable(same_period_last_year(w)) for w in windows]
        results = compute_windows(self.engine, self.config, shifted, filters)
        return {w.key: r for w, r in zip(windows, results, strict=True)}

    def _comparable(self, window: Window) -> Window:
        """A 同比 window reaching before the data are complete is left out (null), not compared with half a year."""
        if window.empty or window.start >= self.config.data_complete_from:
            return window
        return replace(window, label=window.label + "（无完整数据）", empty=True)

    def window_results(self, windows: list[Window], filters: Filters = Filters()) -> list[WindowResult]:
        return compute_windows(self.engine, self.config, windows, filters)

    def monthly_results(self, as_of: dt.date, filters: Filters = Filters(), start: dt.date | None = None,
                        keys: tuple[str, ...] | None = None) -> list[WindowResult]:
        """Calendar months from the first phase to the as-of date (at most MAX_MONTHS); only `keys` when given."""
        return compute_windows(self.engine, self.config, series_months(self.config, as_of, start), filters, keys)

    def comparison(self, as_of: dt.date, filters: Filters = Filters(),
                   keys: tuple[str, ...] | None = None) -> list[Row]:
        from metrics.engine.indicators import INDICATORS

        phases = self.phase_results(as_of, filters)
        last_year = self.last_year_results(as_of, filters)
        return [compare_phase(self.config, key, p.key, phases, last_year, filters)
                for p in self.config.phases for key in (keys or tuple(INDICATORS))]
