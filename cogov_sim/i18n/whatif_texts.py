"""The fixed text of the what-if figures and report (``wi.`` keys), ``key -> (English, 中文)``."""

from __future__ import annotations

WHATIF: dict[str, tuple[str, str]] = {
    "wi.trajectory": (
        "{indicator}: mean and 95% band over replications (dashed: intervention start, dotted: end)",
        "{indicator}：重复运行的均值与95%区间（虚线：干预开始，点线：结束）",
    ),
    "wi.paired": ("paired difference from the baseline (same seeds), 95% band", "与基线的配对差（相同种子），95%区间"),
    "wi.diff_axis": ("policy − baseline", "政策 − 基线"),
    "wi.forest_x": (
        "(policy − baseline) / baseline mean, % (95% CI)",
        "（政策 − 基线）/ 基线均值，%（95% 置信区间）",
    ),
    "wi.forest_title": (
        "Effects: relative change from the baseline with 95% intervals (raw numbers in report.md)",
        "效应：相对基线的变化及95%区间（原始数值见 report.md）",
    ),
    "wi.forest_mid": ("± minimum important difference", "± 最小重要差"),
    "wi.forest_zero": ("(baseline 0: not shown)", "（基线为 0：未画出）"),
    "wi.baseline": ("baseline", "基线 baseline"),
    "wi.window.final_day": ("final day", "最后一天"),
    "wi.window.after_start": ("after start", "政策开始后"),
    "wi.window.last": ("last {days} days", "最后 {days} 天"),
    "wi.title": ("What-if: {name}", "政策模拟：{name}"),
    "wi.question": ("**Question.** {question}", "**问题。** {question}"),
    "wi.answer": ("Answer", "回答"),
    "wi.answer.intro": (
        "A material change is a difference larger than the indicator's minimum important difference (MID) whose"
        " 95% interval excludes 0. Numbers: the relative change, the mean paired difference [95% interval], and"
        " the means of the two arms; outcomes are the indicators named in the file.",
        "实质变化指差值大于该指标最小重要差（MID）且95%区间不含 0 的变化。数字依次为：相对变化、平均配对差"
        "[95%区间]，以及两组的均值；结果指标为文件中列出的指标。",
    ),
    "wi.answer.sentence": (
        "**{policy}** against {reference}, {window} ({n} paired replications): {parts}.",
        "**{policy}** 与{reference}相比，{window}（{n} 次配对重复）：{parts}。",
    ),
    "wi.answer.baseline": ("the baseline", "基线"),
    "wi.answer.reference": ("**{name}**", "政策 **{name}** "),
    "wi.answer.final_day": ("on day {end}", "第 {end} 天"),
    "wi.answer.after_start": ("over days {start}-{end}", "第 {start}-{end} 天平均"),
    "wi.answer.last": ("over the last {days} days (days {start}-{end})", "最后 {days} 天（第 {start}-{end} 天）平均"),
    "wi.answer.up": ("up", "上升"),
    "wi.answer.down": ("down", "下降"),
    "wi.answer.change": (
        "{indicator} {direction}{rel} ({diff} [{low}, {high}], {before} → {after})",
        "{indicator}{direction}{rel}（{diff} [{low}, {high}]，{before} → {after}）",
    ),
    "wi.answer.unclear": (
        "unclear, possibly material but the interval includes 0: {items}",
        "不确定（可能有实质变化，但区间含 0）：{items}",
    ),
    "wi.answer.unclear_item": ("{indicator} ({diff} [{low}, {high}])", "{indicator}（{diff} [{low}, {high}]）"),
    "wi.answer.none": ("no material change in {items}", "{items}无实质变化"),
    "wi.answer.identical": ("identical in every replication: {items}", "每次重复都完全相同：{items}"),
    "wi.answer.small_n": ("too few pairs to tell: {items}", "配对太少，无法判断：{items}"),
    "wi.answer.sep": ("; ", "；"),
    "wi.answer.list_sep": (", ", "、"),
    "wi.setup": ("Setup", "设置"),
    "wi.setup.base": (
        "Base scenario: `{base}` (resolved hash `{hash}`), overrides: {overrides}.",
        "基础情景：`{base}`（解析后哈希 `{hash}`），覆盖设置：{overrides}。",
    ),
    "wi.none": ("none", "无"),
    "wi.setup.days": (
        "{days} days; {reps} paired replications: replication r runs the baseline and every policy with one seed"
        " (experiment seed {seed}), so arms differ only where a policy acts.",
        "{days} 天；{reps} 次配对重复：第 r 次重复用同一个种子运行基线和每项政策（实验种子 {seed}），"
        "因此各组只在政策起作用处不同。",
    ),
    "wi.setup.runs": (
        "Runs: {runs} ({ok} ok, {failed} failed, {lost} lost); mean run time {wall} s.",
        "运行：{runs} 次（成功 {ok}，失败 {failed}，丢失 {lost}）；平均每次 {wall} 秒。",
    ),
    "wi.setup.t": (
        "Intervals: 95% paired t on the per-replication difference policy − baseline.",
        "区间：按每次重复的差值（政策 − 基线）计算的95%配对 t 区间。",
    ),
    "wi.setup.bootstrap": (
        "Intervals: 95% paired bootstrap on the per-replication difference policy − baseline.",
        "区间：按每次重复的差值（政策 − 基线）计算的95%配对自助法区间。",
    ),
    "wi.policies": ("Policies", "政策"),
    "wi.policy": (
        "**{name}** (first acts on day {day}). {description}",
        "**{name}**（第 {day} 天起作用）。{description}",
    ),
    "wi.no_interventions": ("no interventions (reproduces the baseline)", "无干预（重现基线）"),
    "wi.effects": ("Effects", "效应"),
    "wi.effects.intro": (
        "Each row: the indicator's mean in the baseline and under the policy, the mean paired difference with its"
        " 95% interval, the relative change, the minimum important difference (MID, in the indicator's units) and"
        " the number of pairs. *up* / *down*: the interval excludes 0 and the difference exceeds the MID;"
        " *unclear*: the difference exceeds the MID but the interval includes 0 (the model cannot tell the policy"
        " from the baseline at this number of replications); *no material change*: the difference is within the"
        " MID.",
        "每行：指标在基线和政策下的均值、平均配对差及其95%区间、相对变化、最小重要差（MID，指标自身单位）和配对数。"
        "*上升* / *下降*：区间不含 0 且差值超过 MID；*不确定*：差值超过 MID 但区间含 0（在当前重复次数下模型无法区分"
        "政策与基线）；*无实质变化*：差值不超过 MID。",
    ),
    "wi.contrasts": ("Contrasts between policies", "政策之间的对比"),
    "wi.contrasts.intro": (
        "The same paired comparison with another policy as the reference (same seeds in both arms); the"
        " `after_start` window starts at the later of the two first start days.",
        "同样的配对比较，以另一项政策为参照（两组种子相同）；`after_start` 窗口从两者较晚的起始日开始。",
    ),
    "wi.window": ("Window: `{window}` ({text})", "窗口：`{window}`（{text}）"),
    "wi.window.final_day.long": ("on the final day", "最后一天"),
    "wi.window.after_start.long": (
        "averaged over the days from the policy's first start day to the end",
        "从政策首个起始日到结束的平均",
    ),
    "wi.window.last.long": ("averaged over the last {days} days", "最后 {days} 天的平均"),
    "wi.col.policy": ("policy", "政策"),
    "wi.col.contrast": ("policy − reference", "政策 − 参照"),
    "wi.col.indicator": ("indicator", "指标"),
    "wi.col.baseline": ("baseline", "基线"),
    "wi.col.reference": ("reference", "参照"),
    "wi.col.diff": ("diff [95% CI]", "差值 [95% 置信区间]"),
    "wi.col.rel": ("rel. change", "相对变化"),
    "wi.col.reading": ("reading", "解读"),
    "wi.verdict.up": ("up", "上升"),
    "wi.verdict.down": ("down", "下降"),
    "wi.col.mid": ("MID", "最小重要差 MID"),
    "wi.verdict.identical": ("identical", "完全相同"),
    "wi.verdict.unclear": ("unclear", "不确定"),
    "wi.verdict.no_material_change": ("no material change", "无实质变化"),
    "wi.verdict.small_n": ("n too small", "样本太少"),
    "wi.indicators": ("Indicators", "指标"),
    "wi.plots": ("Plots", "图"),
    "wi.files": (
        "Files: `effects.csv` (this table, all windows), `trajectories.csv` (daily means and bands per arm),"
        " `contrasts.csv` (policy against policy, if any), `runs.parquet` and `timeseries.parquet` (every run),"
        " `whatif.resolved.yaml` (the experiment with every intervention parameter). See `docs/whatif.md` for how"
        " to read the effects.",
        "文件：`effects.csv`（本表，全部窗口），`trajectories.csv`（各组每日均值与区间），`contrasts.csv`"
        "（政策之间的对比，如有），`runs.parquet` 和 `timeseries.parquet`（每次运行），`whatif.resolved.yaml`"
        "（含全部干预参数的实验）。效应的解读见 `docs/whatif.md`。",
    ),
    "wi.units": ("Who gains and who loses", "谁得益，谁受损"),
    "wi.units.intro": (
        "The same paired effects, MID rule and windows as above, by residential area (residents by their home"
        " area; actions at the area's centers; the area's open problems), by group of residents (segment, age"
        " band, Party membership) and by actor type. Named here: the units whose change is material (*up* /"
        " *down*); the relative change is of the unit's own baseline mean. Small units are noisy: read the"
        " tables before drawing a conclusion.",
        "与上文相同的配对效应、MID 规则和窗口，按居民区（居民按居住地；在该区中心举行的行动；该区未解决的问题）、"
        "按人群（人群类型、年龄段、是否党员）和按行动者类型计算。此处列出变化达到实质程度（*上升* / *下降*）的单元；"
        "相对变化以该单元自身的基线均值计。小单元噪声较大，下结论前请查看表格。",
    ),
    "wi.units.sentence": ("**{policy}**, {window}:", "**{policy}**，{window}："),
    "wi.units.nothing": (
        "no residential area, group of residents or actor type changes materially.",
        "没有居民区、人群或行动者类型发生实质变化。",
    ),
    "wi.units.by_area": ("by residential area: {items}", "按居民区：{items}"),
    "wi.units.by_street": ("by street: {items}", "按街镇：{items}"),
    "wi.units.by_segment": ("by group of residents: {items}", "按人群：{items}"),
    "wi.units.by_actor": ("by actor type: {items}", "按行动者类型：{items}"),
    "wi.units.item": ("{indicator} {direction}: {units}", "{indicator}{direction}：{units}"),
    "wi.units.unit": ("{unit} ({change})", "{unit}（{change}）"),
    "wi.units.more": ("{n} more", "另有 {n} 个"),
    "wi.units.commuters": ("in-commuters", "外来通勤者"),
    "wi.units.age": ("aged {band}", "{band} 岁"),
    "wi.units.party": ("Party members", "党员"),
    "wi.units.non_party": ("non-members", "非党员"),
    "wi.units.ind.gci_presence": ("visited in the last 30 days", "近30天到访过的比例"),
    "wi.units.ind.participants": ("people in joint action", "参与共同行动人次"),
    "wi.units.ind.convened": ("actions convened", "发起的行动"),
    "wi.units.ind.joined": ("taking part (partners or people)", "参与（伙伴组织或人次）"),
    "wi.units.ind.presence_hours": ("hours present at centers", "在中心的在场时长"),
    "wi.units.ind.active": ("active organizations", "活跃组织数"),
    "wi.units.ind.commitment_mean": ("commitment", "投入度"),
    "wi.units.files": (
        "Files: `effects_by_area.csv` (in a city `effects_by_street.csv`), `effects_by_segment.csv`,"
        " `effects_by_actor.csv` (one row per policy, window, unit and indicator, with the columns of"
        " `effects.csv`); `plots/map_<policy>.png` (the map of differences).",
        "文件：`effects_by_area.csv`（城市为 `effects_by_street.csv`）、`effects_by_segment.csv`、"
        "`effects_by_actor.csv`（每行一个政策、窗口、单元和指标，列与 `effects.csv` 相同）；"
        "`plots/map_<policy>.png`（差异地图）。",
    ),
    "wi.map.title": (
        "{policy}: change in {indicator} by residential area, {window}",
        "{policy}：各居民区{indicator}的变化，{window}",
    ),
    "wi.map.title_street": (
        "{policy}: change in {indicator} by street, {window}",
        "{policy}：各街镇{indicator}的变化，{window}",
    ),
    "wi.map.colorbar": (
        "{indicator}: (policy − baseline) / baseline mean, %",
        "{indicator}：（政策 − 基线）/ 基线均值，%",
    ),
    "wi.map.material": ("material change (up or down)", "实质变化（上升或下降）"),
    "wi.map.unclear": ("unclear (interval includes 0)", "不确定（区间含 0）"),
    "wi.map.neutral": ("within ± MID (±{band}%)", "在 ± MID 之内（±{band}%）"),
    "wi.map.added": ("centers the policy opens ({n})", "政策新开的中心（{n}）"),
    "wi.map.no_change": ("no value", "无数值"),
    "wi.iv.line": ("`{summary}`: {description}", "`{summary}`：{description}"),
    "wi.iv.add_centers": (
        "Opens new centers of a level: placed like the scenario's own, at explicit sites or in residential areas.",
        "新开某一层级的中心：按情景自身的方式选址，或放在指定位置、指定居民区。",
    ),
    "wi.iv.close_centers": (
        "Closes centers: they leave everyone's choice set; organizations based there move to the nearest open center.",
        "关闭中心：居民不再选择这些中心；驻在那里的组织迁到最近的开放中心。",
    ),
    "wi.iv.add_functions": (
        "Adds function zones to the targeted centers (a canteen, a council hall, a rider rest room ...).",
        "为目标中心增加功能区（社区食堂、议事厅、骑手休息室……）。",
    ),
    "wi.iv.remove_functions": (
        "Removes function zones from the targeted centers; a center always keeps at least one zone.",
        "取消目标中心的功能区；每个中心至少保留一个功能区。",
    ),
    "wi.iv.change_hours": (
        "Changes opening hours: opens, closes or sets the given slots on the given kinds of day.",
        "调整开放时间：在指定的日子开放、关闭或重新设定指定时段。",
    ),
    "wi.iv.rider_stations": (
        "Opens stations for new-employment workers (riders, couriers) near the routes riders pass.",
        "在骑手经过的路线附近建设新就业群体服务站（暖新驿站）。",
    ),
    "wi.iv.launch_alliance": (
        "Launches a business-district party-building alliance of enterprises and Party organizations.",
        "成立由企业和党组织组成的商圈党建联盟。",
    ),
    "wi.iv.incubate_social_organizations": (
        "Founds social organizations at incubation centers and supports them for a while.",
        "在孵化中心成立社会组织，并在一段时间内给予扶持。",
    ),
    "wi.iv.mobilization_campaign": (
        "Party organizations convene more for a while: their convening rate is multiplied.",
        "党组织在一段时间内更多地发起活动：发起频率成倍提高。",
    ),
    "wi.iv.department_coordination": (
        "Regular joint meetings of government departments convened by the street working committee.",
        "由街道党工委召集的政府部门定期联席会议。",
    ),
    "wi.iv.withdraw_party_convening": (
        "Party organizations stop convening (does co-governance sustain itself?).",
        "党组织停止发起活动（检验共治能否自我维持）。",
    ),
}
