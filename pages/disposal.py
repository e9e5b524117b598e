"""财产处置"""

from ui.frame import setup

frame = setup("财产处置")
