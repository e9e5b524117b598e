"""指标口径"""

from ui.frame import setup

frame = setup("指标口径")
