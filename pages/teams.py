"""团队对比"""

from ui.frame import setup

frame = setup("团队对比")
