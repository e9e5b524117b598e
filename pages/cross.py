"""交叉执行"""

from ui.frame import setup

frame = setup("交叉执行")
