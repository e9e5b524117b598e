"""强制措施与信用惩戒"""

from ui.frame import setup

frame = setup("强制措施与信用惩戒")
