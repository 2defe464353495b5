"""The rules.yaml `zoudu init` writes: the seed's policy, every key commented in Chinese
(docs/ledger-format.md for what each key means; the parser is zoudu.ledger.settings)."""

DEFAULT_RULES_YAML = """\
# zoudu 规则 (rules.yaml): 本乡防止干部"走读"的制度。每个键都会被检查，拼错会报错并指出行号。
# zoudu rules: the township's policy against cadre commuting. Every key is checked.

township: 石庄乡            # 乡镇名称，用于公示标题
county: 崇仁县              # 县名
timezone: Asia/Shanghai     # 不带时区的时间按此时区理解
locale: zh_CN               # 界面语言: zh_CN 或 en (--lang en / ZOUDU_LANG=en 可临时改)
place: 党政办公室           # 三定点: 定地点，签到地点
supervision_phone: "0794-0000000"   # 公示栏上的群众监督电话 (占位号码，公示前请改为真实号码)

# 三定点: 定时间、定次数。每天三次签到, 签到须在窗口内 (含两端)。
slots:
  morning:   {time: "08:00", window: ["07:30", "08:30"]}
  afternoon: {time: "14:30", window: ["14:00", "15:00"]}
  evening:   {time: "19:30", window: ["19:00", "20:30"]}

# "543"工作制: 每周在乡工作不少于5天, 住宿不少于4晚, 入村不少于3天。
quota:
  township_days: 5
  nights: 4
  village_days: 3

study_session: true          # 星期五下午在乡集中学习, 只能在办公室签到
inspections_per_month: 2     # 督查组每月专项检查不少于两次
backfill_grace_minutes: 30   # 签到录入时间晚于签到时间超过此分钟数即为补签, 须有批准人
late_tolerance_minutes: 5    # 定时间: 签到晚于规定时间超过此分钟数即为迟到 (提醒)
# 工作时间: 工作日的这些时段内, 未请假、未公出的干部应在乡政府或所包村; 抽查不在岗即为违规
working_hours: [["08:00", "12:00"], ["14:30", "17:30"]]
# 督查组成员 (组长在前), 只有他们可以登记抽查、处理举报; 不写则为全体班子成员
# discipline_group: [c002, c001]

# 计入"走读"、由分管班子成员负连带责任的规则
liability_rules: [signin.missing, week.nights, week.township_days, inspection.absent]

# 各规则的级别: error (错误), warning (提醒), off (关闭); 未列出的为 error
severity:
  signin.outside_window: warning
  signin.backfilled: warning

# 工作日历: 默认取自 chinesecalendar 库 (国务院节假日安排)。
# 可在此补充假日和调休上班日; 库不认识的年份须在 years 下写全年安排并注明出处。
calendar:
  holidays: []
  workdays: []
  years: {}
  # years:
  #   2027:
  #     source: "国务院办公厅关于2027年部分节假日安排的通知"
  #     holidays: ["2027-01-01", ...]
  #     workdays: ["2027-02-07", ...]

notice:
  period_days: 7             # 公示期 (天)
  compiled_by: 党政办公室     # 公示制表单位

# 审批: 谁可以批准补签、逾期录入的民情日记、请假和作废。team = 任一班子成员, secretary = 仅党委书记
# (默认为分管关系最顶端的班子成员, 可用 secretary: 干部编号 指定)。本人及其直接、间接分管的人都不能批准。
village_late_days: 7          # 民情日记录入晚于此天数即为逾期, 须有批准人
approvals:
  backfill: team
  village: team
  void: team
  leave: {short_days: 3, short: team, long: secretary}

# 异常提示: 审计列出值得核实的情况 (只是提问, 不是违规, 不上公示栏, 不计连带责任)。
# witness_cadres: 同一证明人在同一天为不少于此人数的干部签字即提示
# travel_minutes: 从乡政府到各村所需分钟数; 办公室签到与入村记录相隔少于此数即提示 (未列出的村不检查)
anomalies:
  witness_cadres: 3
  travel_minutes: {}
  # travel_minutes: {石庄村: 20, 富溪村: 40}
"""
