"""The model's words in English and Chinese: actor types, center levels, function zones, segments, indicators.

Each entry is ``name -> (English, 中文)``, keyed by the names the model uses (:mod:`cogov_sim.vocabulary`,
``ORG_TYPES``, the scenario's parameter paths, the intervention registry). The Chinese terms are the source
article's where it has one (党群服务中心, 共同在场, 共同行动, 议事厅, 暖新驿站, 四点半课堂 …; see docs/MODEL.md §1
and §2). ``tests/test_i18n.py`` checks that every name of the model has an entry and no entry names nothing.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal[
    "actor", "level", "function", "segment", "slot", "day", "indicator", "parameter", "intervention", "field"
]
"""What a word names (the same name can mean two things: ``rider`` is a level and a segment)."""

ACTORS: dict[str, tuple[str, str]] = {
    "party": ("Party", "党组织"),
    "department": ("department", "政府部门"),
    "enterprise": ("enterprise", "企业"),
    "social_org": ("social org", "社会组织"),
    "resident": ("resident", "居民"),
}
"""Actor types: the four organization types of ``ORG_TYPES`` and residents."""

LEVELS: dict[str, tuple[str, str]] = {
    "district": ("district", "区级中心"),
    "street": ("street", "街道中心"),
    "grid": ("grid", "网格中心"),
    "residential": ("residential", "居民区站点"),
    "building": ("building", "楼宇站点"),
    "park": ("park", "园区站点"),
    "rider": ("rider", "暖新驿站"),
}
"""Center levels (``vocabulary.LEVELS``): 区/街道/网格/居民区/楼宇/园区 and the stations for new-employment workers."""

FUNCTIONS: dict[str, tuple[str, str]] = {
    "party_building": ("party building", "党建阵地"),
    "government_services": ("government services", "政务服务"),
    "deliberation": ("deliberation", "议事厅"),
    "group_work": ("group work", "群团之家"),
    "livelihood": ("livelihood", "民生服务"),
    "culture_sports": ("culture and sports", "文体活动"),
    "training": ("training", "教育培训"),
    "new_employment_support": ("new-employment support", "新就业群体服务"),
}
"""Function zones (``vocabulary.FUNCTIONS``): 组织生活室, 一网通办, 社区议事厅, 儿童之家, 社区食堂, 四点半课堂 …"""

SEGMENTS: dict[str, tuple[str, str]] = {
    "elderly": ("elderly", "老年人"),
    "working_adult": ("working adult", "在职居民"),
    "parent": ("parent", "家长"),
    "office_worker": ("office worker", "楼宇白领"),
    "rider": ("rider", "骑手"),
}
"""Resident segments (``vocabulary.SEGMENTS``)."""

SLOTS: dict[str, tuple[str, str]] = {
    "morning": ("morning", "上午"),
    "midday": ("midday", "中午"),
    "afternoon": ("afternoon", "下午"),
    "evening": ("evening", "晚上"),
}
"""Time slots (``vocabulary.SLOTS``)."""

DAYS: dict[str, tuple[str, str]] = {"weekday": ("weekday", "工作日"), "weekend": ("weekend", "周末")}
"""Kinds of day (``vocabulary.DAY_KINDS``)."""

INDICATORS: dict[str, tuple[str, str]] = {
    "visits": ("visits", "到访人次"),
    "visits_per_capita": ("visits per capita", "人均到访"),
    "coverage_15min": ("15-min coverage", "15分钟覆盖率"),
    "copresence_diversity": ("co-presence diversity", "共同在场多样性"),
    "joint_actions": ("joint actions", "共同行动次数"),
    "joint_action_success_rate": ("success rate (30 d)", "共同行动成功率（30天）"),
    "problems_open": ("problems open", "未解决问题"),
    "problems_resolved_share": ("problems resolved", "问题解决率"),
    "bridging_tie_share": ("bridging ties", "跨群体关系占比"),
    "org_network_density": ("org network density", "组织网络密度"),
    "co_building_agreements": ("co-building agreements", "共建协议"),
    "non_party_convened_share": ("convened by non-Party actors", "非党组织发起占比"),
    "cross_type_agreement_share": ("cross-type agreements", "跨类型共建协议占比"),
    "org_cross_type_tie_share": ("cross-type org ties", "组织跨类型关系占比"),
    "org_presence_hours_party": ("Party hours present", "党组织在场时长"),
    "org_presence_hours_department": ("department hours present", "政府部门在场时长"),
    "org_presence_hours_enterprise": ("enterprise hours present", "企业在场时长"),
    "org_presence_hours_social_org": ("social org hours present", "社会组织在场时长"),
    "social_organizations": ("social organizations", "社会组织数"),
    "volunteer_share": ("volunteers", "志愿者占比"),
    "registered_volunteer_share": ("registered volunteers", "注册志愿者占比"),
    "trust_mean": ("trust", "信任"),
    "service_consciousness_mean": ("service", "服务意识"),
    "cogov_consciousness_mean": ("co-governance", "共治意识"),
    "identification_mean": ("identification", "认同感"),
    "consensus": ("consensus", "共识度"),
    "gci_presence": ("presence", "共同在场"),
    "gci_linkage": ("linkage", "关系联结"),
    "gci_action": ("action", "共同行动"),
    "gci_consciousness": ("consciousness", "共同意识"),
    "gci": ("gci", "治理共同体指数"),
}
"""Short display names of the indicators (``vocabulary.INDICATORS`` holds their English meanings)."""

MEANINGS_ZH: dict[str, str] = {
    "visits": "当天各中心到访人次（按真实人口计）",
    "visits_per_capita": "到访人次 / 人数（居民与通勤者）",
    "coverage_15min": "步行15分钟内有当天开放中心的居民占比",
    "copresence_diversity": "每个开放中心时段同时在场的不同行动者类型（居民群体与组织类型）的平均数",
    "joint_actions": "当天举行的共同行动次数",
    "joint_action_success_rate": "共同行动成功的占比，滚动30天",
    "problems_open": "尚未解决的社区问题",
    "problems_resolved_share": "已解决问题 / 已出现问题，累计",
    "bridging_tie_share": "相识及以上的关系中跨行动者类型或居民群体的占比",
    "org_network_density": "活跃组织之间相识及以上关系的密度",
    "co_building_agreements": "有效的共建协议数",
    "non_party_convened_share": "迄今由党组织以外的行动者发起的共同行动占比（累计）",
    "cross_type_agreement_share": "有效共建协议中双方类型不同的占比",
    "org_cross_type_tie_share": "组织之间相识及以上关系中跨类型的占比",
    "org_presence_hours_party": "党组织当天在中心的在场小时数（每日）",
    "org_presence_hours_department": "政府部门当天在中心的在场小时数（每日）",
    "org_presence_hours_enterprise": "企业当天在中心的在场小时数（每日）",
    "org_presence_hours_social_org": "社会组织当天在中心的在场小时数（每日）",
    "social_organizations": "活跃的社会组织数",
    "volunteer_share": "志愿者 / 人数",
    "registered_volunteer_share": "曾参与志愿服务的人（已注册，无论是否仍活跃） / 人数",
    "trust_mean": "对党组织和政府的平均信任",
    "service_consciousness_mean": "平均服务意识",
    "cogov_consciousness_mean": "平均共治意识",
    "identification_mean": "平均认同感（归属感）",
    "consensus": "1 − 共治意识的标准差 / 0.5",
    "gci_presence": "分项：近30天到访过中心的人数占比",
    "gci_linkage": "分项：（有普通朋友及以上关系的人数占比，组织网络密度）的平均",
    "gci_action": "分项：（30天成功率，问题解决率）的平均",
    "gci_consciousness": "分项：信任与三种意识均值的平均",
    "gci": "治理共同体指数：四个分项的平均",
}
"""The indicators' meanings in Chinese (the English ones are ``vocabulary.INDICATORS``)."""

PARAMETERS: dict[str, str] = {
    "organizations.departments": "政府部门数",
    "organizations.enterprises": "企业数",
    "organizations.social_organizations": "社会组织数（初始）",
    "organizations.max_social_organizations": "社会组织数上限",
    "organizations.convening_per_week": "每周发起次数",
    "organizations.mobilization_reach": "动员覆盖",
    "organizations.brokerage": "牵线搭桥",
    "organizations.department_responsiveness": "部门响应度",
    "organizations.party_sessions_per_week": "党组织每周驻点次数",
    "organizations.department_sessions_per_week": "政府部门每周驻点次数",
    "organizations.enterprise_sessions_per_week": "企业每周驻点次数",
    "organizations.social_org_sessions_per_week": "社会组织每周驻点次数",
    "behaviour.decay_per_km": "距离衰减（每公里）",
    "behaviour.detour_factor": "绕行系数",
    "behaviour.walk_m_per_min": "步行速度（米/分钟）",
    "behaviour.visit_scale": "到访规模",
    "behaviour.propensity_shape": "到访倾向形状",
    "behaviour.area_exponent": "面积指数",
    "behaviour.need_match_weight": "需求匹配权重",
    "behaviour.m2_per_visitor": "每位到访者面积（平方米）",
    "behaviour.turned_away_penalty": "满员劝返惩罚",
    "behaviour.contacts_per_visit": "每次到访接触人数",
    "behaviour.habit_gain": "习惯增益",
    "behaviour.habit_decay_per_day": "习惯每日衰减",
    "behaviour.acquaintance_hours": "相识所需小时",
    "behaviour.casual_hours": "普通朋友所需小时",
    "behaviour.friend_hours": "朋友所需小时",
    "behaviour.close_hours": "密友所需小时",
    "behaviour.tie_half_life_days": "关系半衰期（天）",
    "behaviour.threshold_mean": "参与阈值均值",
    "behaviour.threshold_sd": "参与阈值标准差",
    "behaviour.success_repeat_boost": "成功后再参与提升",
    "behaviour.failure_repeat_penalty": "失败后再参与惩罚",
    "behaviour.face_to_face_effect": "面对面效应",
    "behaviour.remote_effect": "线上效应",
    "behaviour.problem_rate_per_area_month": "每居民区每月问题数",
    "behaviour.confidence_bound": "有限信任边界",
    "behaviour.confidence_trust_gain": "信任对边界的增益",
    "behaviour.influence_rate": "相互影响速率",
    "behaviour.experience_gain": "体验增益",
    "behaviour.action_gain": "行动增益",
    "behaviour.baseline_drift_per_day": "每日回归基线",
    "behaviour.party_invitation_weight": "党员优先邀请权重",
    "behaviour.volunteer_join": "成为志愿者概率",
    "behaviour.volunteer_cogov_threshold": "志愿者共治意识阈值",
    "behaviour.volunteer_dropout_per_year": "志愿者年退出率",
    "behaviour.agreement_hours": "签订共建协议所需小时",
    "behaviour.agreement_successes": "签订共建协议所需成功次数",
    "behaviour.incubation_successes": "孵化所需成功次数",
    "behaviour.emergent_convening_threshold": "自发发起阈值",
    "behaviour.org_contacts_per_session": "每次驻点组织接触数",
    "behaviour.complementarity_weight": "互补性权重",
    "behaviour.actor_diversity_effect": "行动者多样性效应",
    "behaviour.resident_initiatives_per_year": "居民每年自发倡议",
    "behaviour.resident_initiative_cogov": "居民倡议共治意识阈值",
}
"""Chinese labels of the scenario parameters the app offers (the English label is the field name in words)."""

INTERVENTIONS: dict[str, str] = {
    "add_centers": "新增中心",
    "close_centers": "关闭中心",
    "add_functions": "增加功能区",
    "remove_functions": "取消功能区",
    "change_hours": "调整开放时间",
    "rider_stations": "建设暖新驿站",
    "launch_alliance": "成立商圈党建联盟",
    "incubate_social_organizations": "孵化社会组织",
    "mobilization_campaign": "动员活动",
    "department_coordination": "部门联席协调",
    "withdraw_party_convening": "党组织退出发起",
}
"""Chinese names of the what-if interventions (``cogov_sim.interventions.REGISTRY``; the English is the kind)."""

FIELDS: dict[str, str] = {
    "actions_per_month": "每月行动次数",
    "agreements": "共建协议",
    "area_m2": "面积（平方米）",
    "centers": "中心",
    "count": "数量",
    "every_days": "间隔天数",
    "functions": "功能区",
    "lead": "牵头方",
    "level": "层级",
    "levels": "层级",
    "maturity": "成熟度",
    "max_members": "成员上限",
    "member_types": "成员类型",
    "mixed_zones": "混合功能区",
    "mode": "方式",
    "multiplier": "倍数",
    "name": "名称",
    "open_days": "开放日",
    "open_slots": "开放时段",
    "participation": "参与度",
    "placement": "选址",
    "radius_m": "半径（米）",
    "responsiveness_boost": "响应度提升",
    "select": "选择方式",
    "specialties": "专长",
    "support_months": "支持月数",
    "support_per_month": "每月支持",
    "tiers": "层级",
    "venue": "场所",
    "visibility": "可见度",
}
"""Chinese labels of the what-if forms' inputs (intervention fields; the English label is the field name in words)."""
