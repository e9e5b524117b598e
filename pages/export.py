"""报告导出"""

from ui.frame import setup

frame = setup("报告导出")
