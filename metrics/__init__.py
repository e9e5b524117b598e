"""交叉执行专项行动 indicator engine: schema, configuration, indicator SQL, phase comparison, exports.

Pure Python (no Streamlit), so the command line, the pages and the exports share one computation.
"""
