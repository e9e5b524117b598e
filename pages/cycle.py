"""执行周期与积案"""

from ui.frame import setup

frame = setup("执行周期与积案")
