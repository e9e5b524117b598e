"""阶段对比"""

from ui.frame import setup

frame = setup("阶段对比")
