"""Indicator parameters (SPEC section 3): plain data, shared by the configuration and the indicator definitions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Parameters:
    scope_case_types: tuple[str, ...] = ("首次执行",)
    actual_closure_methods: tuple[str, ...] = ("执行完毕", "终结执行", "销案", "不予执行", "驳回申请")
    transfer_reasons: tuple[str, ...] = ("指定执行", "提级执行", "委托执行")
    statutory_days: int = 180
    judgment_observation_days: int = 180
    small_denominator: int = 30
    # 督办预警: 委托事项即将逾期 lists received entrustments due within this many days (0 = due today only)
    entrust_warn_days: int = 5
    # 督办预警: a 终本 case is due for its periodic property check this many days after the last (six months)
    check_interval_days: int = 182
    # The first day from which the database holds complete data; a 同比 window before it is not compared.
    data_complete_from: dt.date | None = None
