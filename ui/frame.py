"""The shared frame every page calls first: page config, navigation, sidebar filters in the URL, projector mode."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import streamlit as st

from metrics.config import ROOT, Config, ConfigError, load_config
from metrics.engine.db import open_database
from metrics.engine.filters import NO_CROSS_ROLE, Filters
from metrics.engine.service import Dashboard
from ui import auth, data, params
from ui.safe import esc, md, script_json

APP_TITLE = "交叉执行专项行动 指标看板"

# (script path relative to app.py, label). English file names keep URLs plain; labels are Chinese.
PAGES = [
    ("app.py", "总览"),
    ("pages/phases.py", "阶段对比"),
    ("pages/cycle.py", "执行周期与积案"),
    ("pages/cross.py", "交叉执行"),
    ("pages/disposal.py", "财产处置"),
    ("pages/measures.py", "强制措施与信用惩戒"),
    ("pages/teams.py", "团队对比"),
    ("pages/watch.py", "督办预警"),
    ("pages/courts.py", "法院对比"),  # listed only when the database holds more than one court
    ("pages/cases.py", "案件明细"),
    ("pages/glossary.py", "指标口径"),
    ("pages/export.py", "报告导出"),
    ("pages/data.py", "数据管理"),
    ("pages/users.py", "用户管理"),
    ("pages/audit.py", "审计日志"),
]

# Sidebar widgets bound to query parameters (key = URL parameter), so a view can be bookmarked and shared.
FILTER_KEYS = ("court", "team", "handler", "tag", "role", "asof", "phase", "projector")
ALL_COURTS = "全部法院"
TAGS = ("涉民生", "涉企", "涉金融")
CROSS_ROLES = ("承接", "交出", NO_CROSS_ROLE)

CSS = (Path(__file__).parent / "style.css").read_text(encoding="utf-8")
PROJECTOR_CSS = (Path(__file__).parent / "projector.css").read_text(encoding="utf-8")


@dataclass
class Frame:
    config: Config
    board: Dashboard
    filters: Filters
    as_of: dt.date
    phase: str
    projector: bool
    sample: bool
    access: auth.Access | None = None  # the signed-in user's rights and scope (filters carry the scope)

    @property
    def phase_name(self) -> str:
        return self.config.phase(self.phase).name

    def slides(self, slides: list[tuple[str, Callable[[], None]]]) -> None:
        """Normal mode: every section one after another. 投影模式: one section per screen with 上一页/下一页."""
        if not self.projector:
            for _title, render in slides:
                render()
            return
        key = f"slide_{st.session_state.get('_page_key', '')}"
        n = len(slides)
        index = min(max(st.session_state.get(key, 0), 0), n - 1)
        title, render = slides[index]
        # The page controls come first, so they stay on screen at 1024×768 whatever the slide's height.
        left, middle, right = st.columns([1, 2, 1], vertical_alignment="center")
        if left.button("◀ 上一页", disabled=index == 0, width="stretch", key="prev_slide"):
            st.session_state[key] = index - 1
            st.rerun()
        middle.html(f"<div class='slide-count'>第 {index + 1} / {n} 页 · {esc(title)}</div>")
        if right.button("下一页 ▶", disabled=index == n - 1, width="stretch", key="next_slide"):
            st.session_state[key] = index + 1
            st.rerun()
        render()


def current_query() -> dict[str, str | list[str]]:
    """The bound filter values now in force, to carry them along on navigation links."""
    out: dict[str, str | list[str]] = {}
    for key in FILTER_KEYS:
        if key in st.query_params:
            values = st.query_params.get_all(key)
            out[key] = values if len(values) > 1 or key in ("team", "handler", "tag", "role") else values[0]
    return out


MULTI_COURT_PAGES = {"pages/courts.py"}


def navigation(current: str, access: auth.Access | None = None, *, multi_court: bool = False, slot=None) -> None:
    """Links to the pages the role may open (法院对比 only for several courts); drawn into `slot` (an
    st.sidebar.empty()) when given, so they can be redrawn in place."""
    query = current_query()
    box = slot.container() if slot is not None else st.sidebar
    box.html(f"<div class='app-title'>{esc(APP_TITLE)}</div>")
    for path, label in PAGES:
        if path in MULTI_COURT_PAGES and not multi_court:
            continue
        if access is not None and not access.may(auth.page_right(path)):
            continue
        box.page_link(path, label=label, query_params=query or None, disabled=False,
                      icon=":material/chevron_right:" if label == current else None)


@st.cache_resource(show_spinner=False)
def _config_cached(path: str, mtime: float, database_url_env: str) -> Config:
    return load_config(path)


def get_config() -> Config:
    """config.yaml beside app.py, or the file named by DASHBOARD_CONFIG; reread when it or DATABASE_URL changes."""
    path = Path(os.environ.get("DASHBOARD_CONFIG") or ROOT / "config.yaml")
    try:
        return _config_cached(str(path), path.stat().st_mtime, os.environ.get("DATABASE_URL", ""))
    except FileNotFoundError:
        raise ConfigError(str(path), "找不到配置文件") from None


@st.cache_resource(show_spinner="正在打开数据库……")
def _board(url: str, config_mtime: float, _config: Config) -> Dashboard:
    return Dashboard(open_database(_config, url), _config)


def _source_kind(board: Dashboard) -> str:
    """The kind of database only: host, port, user and path are for the server log, not for every visitor."""
    kinds = {"postgresql": "PostgreSQL", "mysql": "MySQL/MariaDB", "sqlite": "SQLite", "duckdb": "DuckDB"}
    backend = board.engine.url.get_backend_name()
    return f"{kinds.get(backend, backend)} 数据库"


def _phase_keys(config: Config) -> list[str]:
    return [p.key for p in config.phases if not p.baseline] or [config.baseline.key]


def _latest_as_of(default_as_of: dt.date) -> dt.date:
    return max(default_as_of, dt.date.today())


def _seed_from_url(config: Config, options: dict, default_as_of: dt.date) -> None:
    """Parse every bound filter in the URL (ui/params.py) before its widget exists.

    A usable value seeds the widget, also where Streamlit's own binding would not take it (a phase key such as
    `?phase=review`, where the widget stores the phase's name); an unusable one leaves a note for the page.
    """
    handlers = list(dict.fromkeys(h for _, h in options["handlers"]))
    parsed = {
        "projector": params.read("projector", params.parse_flag, "投影模式", "projector"),
        "phase": params.read("phase", params.parse_phase, config, _phase_keys(config)),
        "asof": params.read("asof", params.parse_as_of, _latest_as_of(default_as_of)),
        "court": params.read("court", params.parse_choice, [ALL_COURTS, *options["courts"]], "法院", "court"),
        "team": params.read("team", params.parse_choices, options["teams"], "执行团队", "team"),
        "handler": params.read("handler", params.parse_choices, handlers, "承办人", "handler"),
        "tag": params.read("tag", params.parse_choices, TAGS, "案件标签", "tag"),
        "role": params.read("role", params.parse_choices, CROSS_ROLES, "交叉执行角色", "role"),
    }
    for key, value in parsed.items():
        if value is not None and key not in st.session_state:
            st.session_state[key] = list(value) if isinstance(value, tuple) else value


def _filters_sidebar(frame_config: Config, board: Dashboard, default_as_of: dt.date) -> tuple[Filters, dt.date, str]:
    options = data.filter_options(board)
    sb = st.sidebar
    sb.markdown("<div class='sidebar-section'>筛选</div>", unsafe_allow_html=True)
    phase_keys = _phase_keys(frame_config)
    default_phase = frame_config.default_phase if frame_config.default_phase in phase_keys else phase_keys[-1]
    # A default is passed only for a widget without state, or Streamlit warns about a value set twice.
    phase_default = {} if "phase" in st.session_state else {"index": phase_keys.index(default_phase)}
    phase = sb.selectbox("阶段", phase_keys, key="phase", format_func=lambda k: frame_config.phase(k).name,
                         bind="query-params", **phase_default)
    as_of_default = {} if "asof" in st.session_state else {"value": default_as_of}
    as_of = sb.date_input("统计日（截至）", min_value=dt.date(2000, 1, 1), **as_of_default,
                          max_value=_latest_as_of(default_as_of), key="asof", bind="query-params",
                          format="YYYY-MM-DD",
                          help="统计日之后发生的立案、结案、生效、拍卖、反馈一律视为尚未发生；各阶段截至统计日。")
    courts = [ALL_COURTS, *options["courts"]]
    court = sb.selectbox("法院", courts, key="court", bind="query-params")
    teams = sb.multiselect("执行团队", options["teams"], key="team", bind="query-params", placeholder="全部团队")
    handler_options = [h for t, h in options["handlers"] if not teams or t in teams]
    handler_options = list(dict.fromkeys(handler_options))
    handlers = sb.multiselect("承办人", handler_options, key="handler", bind="query-params", placeholder="全部承办人")
    tags = sb.multiselect("案件标签", list(TAGS), key="tag", bind="query-params", placeholder="全部")
    roles = sb.multiselect("交叉执行角色", list(CROSS_ROLES), key="role", bind="query-params",
                           placeholder="全部", help="“无”表示未参与交叉执行的本院案件")
    filters = Filters(court=None if court == ALL_COURTS else court, teams=tuple(teams), handlers=tuple(handlers),
                      tags=tuple(tags), cross_roles=tuple(roles))
    return filters, as_of or default_as_of, phase


KEPT = "_kept_filters"


def _restore_filters() -> None:
    """Bring the filters back right after a page switch.

    Streamlit drops the query string when a page link is followed, and a bound widget then falls back to its
    default; the values kept in the session at the end of the last run are put back unless the URL names them.
    """
    for key, value in st.session_state.get(KEPT, {}).items():
        if key not in st.query_params:
            st.session_state[key] = value


def _keep_filters(defaults: dict) -> None:
    st.session_state[KEPT] = {k: st.session_state[k] for k in FILTER_KEYS if k in st.session_state}
    _show_filters_in_url(defaults)


def _url_value(value) -> str | list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _show_filters_in_url(defaults: dict) -> None:
    """Put restored filters back into the address bar, so the view can still be bookmarked after a page switch.

    Streamlit removes a bound parameter from the URL when the page that bound it is left, even though the next
    page binds the same key; the browser's history entry is rewritten in place (no reload, no rerun). The script
    waits for the end of the run that drew it, however long that run takes on a busy server (an earlier version
    gave up after 60 s and left the address bare), then fixes the address a few times as the page settles. A
    newer run's script supersedes it, so an old one never puts back a filter the user has since cleared.
    """
    wanted = {k: _url_value(v) for k, v in st.session_state.get(KEPT, {}).items()
              if v not in (None, [], ()) and v != defaults.get(k)}
    # Drawn even when nothing is wanted: that run's script still supersedes an older one.
    st.sidebar.container(key="url_fix").html(
        # script_json: a value holding </script> must not end the element (D4).
        "<script>(function(){const want=" + script_json(wanted) + ";"
        "const gen=window.__xtGen=(window.__xtGen||0)+1;"
        "function fix(){if(window.__xtGen!==gen){return;}"
        "const u=new URL(window.location.href);let changed=false;"
        "for(const [k,v] of Object.entries(want)){if(!u.searchParams.has(k)){changed=true;"
        "if(Array.isArray(v)){v.forEach(x=>u.searchParams.append(k,x));}else{u.searchParams.set(k,v);}}}"
        "if(changed){window.history.replaceState(window.history.state,'',u.toString());}}"
        # Streamlit strips the parameters when the run ends, so fix the address once the run has ended.
        "const app=document.querySelector('[data-testid=\"stApp\"]');"
        "function done(){return !app||app.getAttribute('data-test-script-state')==='notRunning';}"
        "function settle(){[0,300,1000,2500].forEach(t=>setTimeout(fix,t));}"
        "if(done()){settle();return;}"
        "const obs=new MutationObserver(()=>{if(done()){obs.disconnect();settle();}});"
        "obs.observe(app,{attributes:true,attributeFilter:['data-test-script-state']});})();</script>",
        unsafe_allow_javascript=True, width="content")


def setup(label: str, *, wide: bool = True, needs_data: bool = True) -> Frame:
    """Call first on every page. Stops the page with a Chinese message when config or database are unusable.

    A page that works on an empty database (数据管理) passes needs_data=False and gets a frame all the same.
    """
    st.set_page_config(page_title=f"{label} · {APP_TITLE}", page_icon="⚖️", layout="wide" if wide else "centered")
    auth.restrict_clear_cache()
    switched = st.session_state.get("_page_key") not in (None, label)
    st.session_state["_page_key"] = label
    st.html(f"<style>{CSS}</style>")
    try:
        config = get_config()
    except ConfigError as exc:
        navigation(label)
        st.error(f"**配置文件有误，看板无法计算。** {md(exc)}")
        st.caption("请修改 config.yaml 后刷新页面。")
        st.stop()
    st.session_state[params.NOTES] = []
    try:
        board = _board(config.database_url, config.path.stat().st_mtime if config.path else 0.0, config)
    except data.DB_ERRORS as exc:
        navigation(label)
        data.database_lost(exc, hint="请检查 config.yaml 中的 database.url 或环境变量 DATABASE_URL，以及数据库服务"
                                     "是否已启动；详细原因已写入服务器日志。")
    # Sign-in before anything else of the page is drawn (auth.mode: password / oidc); then the links the role may
    # follow, and 无权限 for a page outside the role.
    access = auth.gate(config, board.engine, data.is_sample(board))
    nav = st.sidebar.empty()
    navigation(label, access, slot=nav)
    auth.sidebar(config, board.engine, access)
    auth.require(board.engine, access, page_path(label))
    online = data.refresh_key(board)
    default_as_of = data.default_as_of(board)
    if default_as_of is None:
        if needs_data:
            st.warning("数据库中还没有任何案件数据。请在“数据管理”页面上传本院导出的文件导入"
                       "（或用命令行：python -m metrics import 文件…）。")
            st.page_link("pages/data.py", label="前往数据管理", icon=":material/upload_file:")
            st.stop()
        frame = Frame(config, board, Filters(scope=access.scope), dt.date.today(),
                      config.default_phase or config.phases[-1].key, False, data.is_sample(board), access)
        header(frame, label)
        return frame
    if switched:
        _restore_filters()
    _seed_from_url(config, data.filter_options(board), default_as_of)
    if len(data.filter_options(board)["courts"]) > 1:  # 法院对比 only for a database of several courts
        navigation(label, access, multi_court=True, slot=nav)
    projector = st.sidebar.toggle("投影模式", key="projector", bind="query-params",
                                  help="大字号、高对比度、隐藏侧栏，每屏一组指标或一张图，用上一页/下一页翻页。")
    filters, as_of, phase = _filters_sidebar(config, board, default_as_of)
    filters = replace(filters, scope=access.scope)  # from the signed-in user, never from the URL
    _keep_filters({"asof": default_as_of, "phase": config.default_phase, "court": ALL_COURTS, "projector": False})
    sample = data.is_sample(board)
    st.sidebar.caption(f"数据源：{'示例数据（合成）' if sample else _source_kind(board)}")
    if projector:
        st.html(f"<style>{PROJECTOR_CSS}</style>")
    frame = Frame(config, board, filters, as_of, phase, projector, sample, access)
    header(frame, label)
    if not online:
        data.offline_notice(st.empty())
    params.show()
    if needs_data and data.case_count(board, filters, as_of) == 0:
        st.warning(f"截至统计日 {as_of:%Y-%m-%d}，所选筛选条件（{md(filters.describe())}）下没有任何案件。"
                   "请在左侧放宽筛选条件或调整统计日。")
        st.stop()
    return frame


def page_path(label: str) -> str:
    return next((path for path, name in PAGES if name == label), "app.py")


def courts_phrase(frame: Frame) -> str:
    """"全部13家法院 · " when the data hold several courts (those the user may see) and none is picked, else "".

    The page header only: in 投影模式 the court line already names the 中院 and one more phrase wraps the header
    to two lines at 1024×768 (the small multiples of 法院对比 then no longer fit).
    """
    if frame.filters.court:
        return ""
    try:
        courts = data.filter_options(frame.board)["courts"]
    except Exception:  # no data yet: nothing to count
        return ""
    allowed = frame.filters.scope.courts
    visible = [c for c in courts if not allowed or c in allowed]
    return f"全部{len(visible)}家法院 · " if len(visible) > 1 else ""


def header(frame: Frame, label: str) -> None:
    """Page title and what is shown; every value from the config, the URL or the data is escaped (D4, D17)."""
    court = esc(frame.config.court_name)
    label = esc(label)
    sample = "<span class='sample-badge'>示例数据</span>" if frame.sample else ""
    if frame.projector:
        projector_header(frame, label, sample)
        return
    st.html(
        f"<div class='page-head'><div class='page-court'>{court} · {esc(frame.config.action_name)}</div>"
        f"<h1 class='page-title'>{label} {sample}</h1>"
        f"<div class='page-meta'>统计日 {frame.as_of:%Y-%m-%d} · 当前阶段 {esc(frame.phase_name)} · "
        f"{courts_phrase(frame)}{esc(frame.filters.describe())}</div></div>")
    if frame.sample:
        st.html("<div class='sample-banner'>示例数据：本看板当前使用程序生成的合成数据，"
                "数字仅用于演示，不代表任何法院的真实工作情况。</div>")


# ---- 投影模式: one header row with the page menu, the phase/team picker and the exit, all without a reload ----

SHORT_LABELS = {"执行周期与积案": "周期与积案", "强制措施与信用惩戒": "强制措施"}


def _leave_projector() -> None:
    # A rerun, not a reload: the session keeps each page's slide and the drill-through choice for re-entry.
    st.session_state["projector"] = False


def _copy_filter(source: str, target: str) -> None:
    st.session_state[target] = st.session_state[source]


def projector_header(frame: Frame, label: str, sample: str) -> None:
    import html as html_

    described = frame.filters.describe()
    filters = "" if described == "全部案件" else f"<span class='proj-filter'>{html_.escape(described)}</span>"
    row = st.container(horizontal=True, vertical_alignment="center", gap="small", key="proj_head", wrap=False)
    row.html(
        f"<div class='proj-head'><span class='proj-title'>{html_.escape(label)}</span>{sample}"
        f"<span class='proj-meta'>{html_.escape(frame.config.court_name)} · {html_.escape(frame.phase_name)} · "
        f"统计日 {frame.as_of:%Y-%m-%d}</span>{filters}</div>", width="stretch")
    query = current_query()
    with row.popover("页面", icon=":material/menu:", key="proj_pages"):
        for path, page_label in PAGES:
            st.page_link(path, label=SHORT_LABELS.get(page_label, page_label), query_params=query or None,
                         icon=":material/chevron_right:" if page_label == label else None)
    with row.popover("阶段·团队", icon=":material/filter_alt:", key="proj_filters"):
        _projector_filters(frame)
    row.button("退出投影", key="proj_exit", on_click=_leave_projector, icon=":material/close_fullscreen:")


def _projector_filters(frame: Frame) -> None:
    """The phase and team filters inside 投影模式; they write through to the sidebar's bound widgets."""
    config = frame.config
    phase_keys = [p.key for p in config.phases if not p.baseline] or [config.baseline.key]
    st.session_state["proj_phase"] = frame.phase if frame.phase in phase_keys else phase_keys[-1]
    st.selectbox("阶段", phase_keys, key="proj_phase", format_func=lambda k: config.phase(k).name,
                 on_change=_copy_filter, args=("proj_phase", "phase"))
    st.session_state["proj_team"] = list(frame.filters.teams)
    st.multiselect("执行团队", data.filter_options(frame.board)["teams"], key="proj_team", placeholder="全部团队",
                   on_change=_copy_filter, args=("proj_team", "team"))
