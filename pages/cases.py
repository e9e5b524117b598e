"""案件明细"""

from ui.frame import setup

frame = setup("案件明细")
