"""A realistic synthetic organisation for load and benchmark work (``generate_positions``).

A group (集团) → project companies (项目公司) → departments (销售部, 客服部, 营销策划部, 财务部,
工程部 …) → positions in a reporting tree (董事长 → 总经理 → 部门经理 → 主管 → 专员), each
with about ten duties, a qualification, relationships and indicators (工作权限 are the
权责手册's, see bench/manual.py), about seven in ten held by an employee, and every one
published as V1. Rows are bulk-created; the V1 sheets are built with ``build_sheet`` over
``with_sheet()`` batches exactly as ``publish_version`` builds them, and the search index is
filled the same way.

Deterministic for a given ``seed``. Codes start with ``prefix`` so that several runs can
coexist; a prefix already in use is refused.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import gc
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from reversion.models import Revision
from reversion.models import Version as RevisionVersion

from positions.models import (
    Assignment,
    Department,
    Duty,
    Employee,
    Indicator,
    Position,
    Qualification,
    Relationship,
    SearchDocument,
    SearchEntry,
    Version,
)
from positions.services.sheets import SheetContent, SheetWrite, create_sheets
from positions.sheet import build_sheet
from search.services import store_published_entries

Progress = Callable[[str], None]

# Sheets per call of the writer's bulk entry point: bounds the memory (10,000 sheets in one call
# held 1.3 GB) while keeping the statements large.
WRITE_BATCH = 2000

COMPANY_NAMES = (
    "福州",
    "厦门",
    "泉州",
    "漳州",
    "莆田",
    "宁德",
    "南平",
    "龙岩",
    "三明",
    "南昌",
    "赣州",
    "长沙",
    "武汉",
    "合肥",
    "杭州",
    "宁波",
    "温州",
    "南京",
    "苏州",
    "无锡",
    "重庆",
    "成都",
    "西安",
    "郑州",
)
PROJECTS = (
    "滨江一号",
    "海峡城",
    "闽江府",
    "东湖湾",
    "云顶花园",
    "书香名邸",
    "翡翠公馆",
    "南湖壹号",
)
TEAMS = ("一", "二", "三", "四", "五", "六", "七", "八")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国志海燕晨晓宇欣怡嘉琪子涵浩然"
RARE_DUTY = (
    "绿色建筑碳排放核查",
    ("组织项目绿色建筑碳排放核查与申报；", "整理碳排放核查资料并归档；"),
)


@dataclass(frozen=True)
class DutyTemplate:
    title: str
    tasks: tuple[str, ...]
    assessment: str


@dataclass(frozen=True)
class DepartmentTemplate:
    name: str
    code: str
    weight: float
    head: str
    supervisor: str
    staff: tuple[str, ...]
    major: str
    duties: tuple[DutyTemplate, ...]


def _duties(*rows: tuple[str, str, str]) -> tuple[DutyTemplate, ...]:
    return tuple(
        DutyTemplate(title, tuple(t.strip() + "；" for t in tasks.split("；") if t.strip()), check)
        for title, tasks, check in rows
    )


DEPARTMENTS: tuple[DepartmentTemplate, ...] = (
    DepartmentTemplate(
        "销售部",
        "XS",
        0.25,
        "销售经理",
        "销售主管",
        ("置业顾问", "销售专员", "销售内勤", "渠道专员", "售楼员", "收款文员"),
        "市场营销、工商管理",
        _duties(
            (
                "销售计划管理",
                "制定{项目}年度及月度销售计划；分解销售目标并跟踪完成情况",
                "销售目标达成率",
            ),
            (
                "案场接待",
                "接待来访客户并介绍{项目}楼盘；做好客户登记与来电来访统计",
                "客户接待满意度",
            ),
            ("客户跟进", "跟进意向客户并促成成交；维护客户关系，挖掘老带新资源", "客户转化率"),
            ("签约与回款", "协助客户办理认购与签约手续；跟踪按揭进度，确保销售回款", "回款及时率"),
            (
                "售楼处管理",
                "负责{项目}售楼处现场秩序与形象；协调物业做好案场服务",
                "案场检查合格率",
            ),
            ("销售数据统计", "编制销售日报、周报；分析销售数据并提出改进建议", "报表准确及时"),
            ("价格执行", "严格执行公司价格及优惠政策；对特殊折扣申请进行审核", "价格执行无差错"),
            ("渠道拓展", "拓展分销渠道与合作中介；组织渠道带看及结佣核对", "渠道来访占比"),
            ("销售培训", "组织置业顾问销售技巧与产品培训；考核销售人员业务能力", "培训覆盖率"),
            ("竞品调研", "调研周边竞品项目的价格与去化；定期提交市场分析报告", "调研报告质量"),
            ("合同档案", "整理销售合同与客户资料；按规定归档并保管", "档案完整率"),
            ("交付配合", "配合{项目}交房工作；处理交付前客户咨询", "交付投诉率"),
        ),
    ),
    DepartmentTemplate(
        "客服部",
        "KF",
        0.12,
        "客服经理",
        "客服主管",
        ("客服专员", "投诉处理专员", "客户关系专员", "交付专员"),
        "工商管理、物业管理",
        _duties(
            ("客户投诉处理", "受理客户投诉并及时处理；跟踪投诉闭环并回访", "投诉处理及时率"),
            ("客户满意度管理", "组织年度客户满意度调查；分析结果并推动改进", "客户满意度"),
            ("交付管理", "组织{项目}交房前验房；协调工程整改遗留问题", "交付一次通过率"),
            ("客服热线", "接听客服热线并登记来电；解答业主关于产权办理的咨询", "热线接通率"),
            ("业主活动", "策划并组织业主社区活动；维护业主关系，提高口碑", "活动参与率"),
            ("维修协调", "受理业主报修并派单；跟踪维修进度与质量", "维修完成率"),
            ("客服流程", "建立并完善客服流程及标准；监督各项目执行", "流程执行检查结果"),
            ("客户档案", "建立业主档案并及时更新；保护客户信息安全", "档案准确率"),
            ("舆情监测", "监测网络舆情与客户反馈；及时预警重大客诉", "舆情响应时间"),
            ("客服培训", "培训客服人员服务礼仪与沟通技巧；考核服务质量", "服务抽检合格率"),
            ("产权办理", "协助业主办理产权证件；对接房管部门", "办证及时率"),
        ),
    ),
    DepartmentTemplate(
        "营销策划部",
        "CH",
        0.10,
        "策划经理",
        "策划主管",
        ("营销策划专员", "产品策划专员", "媒介专员", "活动策划专员", "平面设计师"),
        "市场营销、广告学、新闻传播",
        _duties(
            ("营销策划方案", "制定{项目}整体营销策划方案；组织实施推广计划", "方案通过率"),
            ("广告推广", "策划广告投放与媒介组合；评估广告效果并优化", "广告来电量"),
            ("活动策划", "策划并执行开盘及暖场活动；控制活动预算与效果", "活动到访人数"),
            ("市场调研", "开展市场与客户调研；撰写市场研究报告", "调研报告质量"),
            ("产品定位", "参与{项目}产品定位及户型建议；组织产品说明会", "产品建议采纳率"),
            ("品牌管理", "维护公司品牌形象与视觉规范；审核宣传物料", "物料合格率"),
            ("新媒体运营", "运营公众号及短视频账号；策划线上推广内容", "粉丝增长量"),
            ("营销费用", "编制营销费用预算；跟踪费用使用与核销", "费用控制率"),
            ("销售物料", "制作楼书、展板等销售物料；确保按时交付", "物料交付及时率"),
            ("策划协同", "与销售部协同制定推盘策略；分析去化数据", "去化目标达成"),
            ("供应商管理", "管理广告、活动供应商；组织比选与评估", "供应商评估合格率"),
        ),
    ),
    DepartmentTemplate(
        "财务部",
        "CW",
        0.08,
        "财务经理",
        "财务主管",
        ("会计", "出纳", "税务专员", "资金专员", "成本会计"),
        "会计学、财务管理",
        _duties(
            ("会计核算", "审核原始凭证并编制记账凭证；按时结账并编制财务报表", "报表准确及时"),
            ("资金管理", "编制资金计划并监控资金流动；办理银行结算业务", "资金计划准确率"),
            ("税务管理", "办理各项税费申报与缴纳；开展土地增值税清算工作", "税务零差错"),
            ("预算管理", "组织编制年度财务预算；分析预算执行差异", "预算执行偏差率"),
            ("融资管理", "对接银行与金融机构；办理{项目}开发贷款", "融资到位及时率"),
            ("财务分析", "编制月度经营分析报告；提出成本费用改进建议", "分析报告质量"),
            ("费用报销", "审核费用报销单据；确保符合财务制度", "报销审核差错率"),
            ("资产管理", "组织固定资产盘点；登记资产台账", "账实相符率"),
            ("审计配合", "配合内外部审计工作；落实审计整改意见", "整改完成率"),
            ("财务档案", "整理并保管会计档案；按规定移交与销毁", "档案完整率"),
            ("销售回款核对", "核对销售回款与按揭放款；与销售部对账", "对账差异率"),
        ),
    ),
    DepartmentTemplate(
        "工程部",
        "GC",
        0.15,
        "工程经理",
        "土建主管",
        ("土建工程师", "安装工程师", "景观工程师", "工程资料员", "安全专员"),
        "土木工程、工程管理",
        _duties(
            ("工程进度管理", "编制{项目}工程进度计划；协调施工单位确保节点完成", "节点完成率"),
            ("工程质量管理", "组织工程质量检查与验收；督促整改质量问题", "质量检查合格率"),
            ("安全文明施工", "监督施工现场安全措施；组织安全检查并整改隐患", "安全事故为零"),
            ("图纸会审", "组织图纸会审与设计交底；提出施工可行性意见", "会审问题闭合率"),
            ("工程签证", "审核工程签证与变更；控制变更费用", "签证审核及时率"),
            ("材料设备管理", "审核材料设备进场验收；抽检材料质量", "材料抽检合格率"),
            ("竣工验收", "组织分部分项及竣工验收；办理竣工备案", "一次验收通过率"),
            ("施工单位管理", "考核施工与监理单位；组织工程例会", "考核按时完成"),
            ("工程资料", "收集整理工程技术资料；确保资料与工程同步", "资料完整率"),
            ("维保管理", "跟踪保修期内工程维修；协调客服处理质量投诉", "维修及时率"),
            ("技术管理", "推广新工艺新材料；组织工程技术培训", "技术改进项数"),
        ),
    ),
    DepartmentTemplate(
        "人力行政部",
        "RX",
        0.07,
        "人力行政经理",
        "人事主管",
        ("招聘专员", "薪酬专员", "培训专员", "行政专员", "前台文员", "司机"),
        "人力资源管理、行政管理",
        _duties(
            ("招聘管理", "制定招聘计划并组织实施；开展面试与录用审批", "岗位到岗及时率"),
            ("薪酬福利", "核算员工工资与社保公积金；办理员工福利", "薪酬核算零差错"),
            ("培训发展", "编制年度培训计划；组织新员工入职培训", "培训计划完成率"),
            ("绩效考核", "组织季度与年度绩效考核；汇总考核结果", "考核按时完成率"),
            ("员工关系", "办理入职、转正、调岗与离职手续；处理劳动争议", "劳动纠纷为零"),
            ("职位说明书", "组织编制与更新职位说明书；维护组织架构", "职位说明书覆盖率"),
            ("行政后勤", "管理办公用品与办公环境；安排会议与接待", "后勤服务满意度"),
            ("证照管理", "办理公司证照年检；保管公司印章", "证照有效率"),
            ("车辆管理", "安排公务用车；控制车辆费用", "车辆费用控制率"),
            ("企业文化", "组织企业文化活动；编辑内部刊物", "员工参与率"),
        ),
    ),
    DepartmentTemplate(
        "成本合约部",
        "CB",
        0.06,
        "成本经理",
        "合约主管",
        ("造价工程师", "合约专员", "招标专员"),
        "工程造价、工程管理",
        _duties(
            ("目标成本", "编制{项目}目标成本；跟踪动态成本并预警", "动态成本偏差率"),
            ("招标采购", "组织工程招标与比选；编制招标文件", "招标计划完成率"),
            ("合同管理", "起草并审核工程合同；建立合同台账", "合同审核及时率"),
            ("工程结算", "审核工程进度款与结算；控制结算审减率", "结算审核质量"),
            ("变更签证审核", "审核设计变更与现场签证费用；控制变更比例", "变更费用比例"),
            ("造价数据库", "收集材料价格信息；维护造价指标数据库", "数据更新及时"),
            ("供方管理", "评估合格供方名录；组织供方考察", "供方评估完成率"),
            ("成本分析", "编制成本分析报告；提出降本建议", "降本建议采纳数"),
            ("付款审核", "审核工程付款申请；核对合同付款条件", "付款审核差错率"),
            ("成本后评估", "开展项目成本后评估；总结经验教训", "后评估按时完成"),
        ),
    ),
    DepartmentTemplate(
        "设计部",
        "SJ",
        0.07,
        "设计经理",
        "设计主管",
        ("建筑设计师", "结构工程师", "机电设计师", "景观设计师", "室内设计师"),
        "建筑学、土木工程",
        _duties(
            ("方案设计管理", "组织{项目}规划与方案设计；协调设计单位优化方案", "方案报批通过率"),
            ("施工图管理", "审核施工图设计质量；控制设计进度", "图纸差错率"),
            ("设计变更", "审核设计变更必要性；评估变更对成本的影响", "变更控制率"),
            ("报批报建", "准备规划报批材料；对接规划部门", "报批及时率"),
            ("设计标准化", "建立户型与立面标准库；推广标准化设计", "标准化应用率"),
            ("设计单位管理", "考核设计单位服务质量；组织设计招标", "设计单位考核结果"),
            ("现场配合", "解决施工现场设计问题；参与隐蔽工程验收", "问题响应时间"),
            ("样板区设计", "组织样板房与展示区设计；确保开放节点", "展示区按时开放"),
            ("技术研究", "研究新产品与新技术；编写设计指引", "指引编写数量"),
            ("设计成果归档", "整理设计文件与成果；按规定归档", "归档完整率"),
        ),
    ),
    DepartmentTemplate(
        "物业服务部",
        "WY",
        0.06,
        "物业经理",
        "物业主管",
        ("物业管理员", "秩序维护员", "保洁主管", "设备维修工", "绿化工"),
        "物业管理",
        _duties(
            ("物业服务管理", "制定{项目}物业服务标准；监督服务品质", "业主满意度"),
            ("秩序维护", "安排秩序维护岗位与巡逻；处理突发事件", "治安事件为零"),
            ("设备设施管理", "组织设备设施巡检与保养；处理故障维修", "设备完好率"),
            ("环境管理", "管理保洁与绿化工作；检查环境卫生", "环境检查合格率"),
            ("物业收费", "收取物业服务费；催缴欠费", "物业费收缴率"),
            ("装修管理", "审批业主装修申请；巡查装修违规", "违规装修整改率"),
            ("社区活动", "组织社区文化活动；维护业主关系", "活动满意度"),
            ("消防安全", "组织消防检查与演练；维护消防设施", "消防检查合格率"),
            ("承接查验", "参与新项目承接查验；建立设备档案", "查验问题闭合率"),
            ("投诉处理", "受理业主投诉与建议；跟踪处理结果", "投诉处理及时率"),
        ),
    ),
    DepartmentTemplate(
        "信息技术部",
        "IT",
        0.04,
        "信息技术经理",
        "系统主管",
        ("系统管理员", "网络工程师", "软件工程师", "数据分析师"),
        "计算机科学、信息管理",
        _duties(
            ("系统运维", "维护公司业务系统稳定运行；处理系统故障", "系统可用率"),
            ("网络安全", "管理网络与信息安全；定期开展漏洞扫描", "安全事件为零"),
            ("信息化规划", "编制信息化建设规划；推进系统建设项目", "项目按期上线率"),
            ("数据管理", "管理业务数据与备份；编制数据分析报表", "数据备份成功率"),
            ("硬件管理", "采购与维护电脑及办公设备；管理资产台账", "设备完好率"),
            ("系统开发", "开发与维护内部管理系统；编写技术文档", "需求交付及时率"),
            ("用户支持", "解答员工系统使用问题；组织系统培训", "用户满意度"),
            ("供应商管理", "管理软件与运维供应商；评估服务质量", "供应商考核结果"),
            ("权限管理", "管理系统账号与权限；定期复核权限", "权限复核完成率"),
            ("数字化营销支持", "支持销售与营销的数字化工具；对接线上售楼平台", "工具使用率"),
        ),
    ),
)
EDUCATIONS = (
    (Qualification.Education.COLLEGE, "大专及以上学历"),
    (Qualification.Education.BACHELOR, "大学本科及以上学历"),
    (Qualification.Education.MASTER, "硕士研究生"),
)


@dataclass
class GenerationResult:
    departments: int = 0
    positions: int = 0
    duties: int = 0
    employees: int = 0
    versions: int = 0
    search_entries: int = 0


@dataclass
class _Planned:
    position: Position
    superior: int | None  # index into the plan
    template: DepartmentTemplate | None


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` by weights (largest remainder), every share ≥ 1 when total allows."""
    raw = [total * w / sum(weights) for w in weights]
    shares = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True):
        if sum(shares) >= total:
            break
        shares[i] += 1
    return shares


class _Namer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def person(self) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))
        return self.rng.choice(SURNAMES) + given


def generate_organisation(
    count: int,
    *,
    seed: int = 1,
    prefix: str = "SIM",
    duties_per_position: int = 10,
    progress: Progress | None = None,
    write_batch: int = WRITE_BATCH,
) -> GenerationResult:
    """Create about ``count`` positions (exactly ``count``) under a new group; see the module."""
    if count < 1:
        raise ValueError("count must be at least 1")
    say = progress or (lambda message: None)
    rng = random.Random(seed)
    prefix = prefix.upper()
    if Department.objects.filter(code__startswith=f"{prefix}-").exists() or (
        Department.objects.filter(code=prefix).exists()
    ):
        raise ValueError(f"编号前缀“{prefix}”已被使用，请换一个 --prefix。")
    result = GenerationResult()
    with _garbage_collected_rarely(), transaction.atomic(), _search_indexes_built_after():
        plan, departments = _plan(count, rng, prefix)
        result.departments = len(departments)
        say(f"部门：{len(departments)} 个")
        result.positions = len(plan)
        result.duties = _create_sections(plan, rng, duties_per_position, say, write_batch)
        result.employees = _create_employees(plan, rng, prefix, say)
        result.versions, result.search_entries = _publish(plan, say)
    return result


def _plan(count: int, rng: random.Random, prefix: str) -> tuple[list[_Planned], list[Department]]:
    """Departments (created) and positions (planned, not saved) in reporting order."""
    group = Department.objects.create(
        name=f"{prefix} 地产集团", code=prefix, kind=Department.Kind.GROUP, order=900
    )
    departments = [group]
    plan: list[_Planned] = [_planned(group, "董事长", f"{prefix}-001", None, None, grade=20)]
    remaining = count - 1
    companies = max(1, min(len(COMPANY_NAMES), round(count / 800))) if remaining else 0
    company_sizes = _allocate(remaining, [1.0] * companies) if companies else []
    for c, size in enumerate(company_sizes):
        if size < 1:
            continue
        name = COMPANY_NAMES[c % len(COMPANY_NAMES)]
        company = Department.objects.create(
            name=f"{name}项目公司",
            code=f"{prefix}-C{c + 1:02d}",
            kind=Department.Kind.COMPANY,
            parent=group,
            order=c + 1,
        )
        departments.append(company)
        gm_index = len(plan)
        plan.append(
            _planned(company, "总经理", f"{company.code}-001", 0, None, grade=18, headcount=1)
        )
        dept_sizes = _allocate(size - 1, [t.weight for t in DEPARTMENTS])
        children = Department.objects.bulk_create(
            [
                Department(
                    name=t.name,
                    code=f"{company.code}-{t.code}",
                    kind=Department.Kind.DEPARTMENT,
                    parent=company,
                    order=i + 1,
                )
                for i, t in enumerate(DEPARTMENTS)
            ]
        )
        departments += children
        for template, department, dept_size in zip(DEPARTMENTS, children, dept_sizes, strict=True):
            _plan_department(plan, template, department, dept_size, gm_index, rng)
    return plan, departments


def _planned(
    department: Department,
    title: str,
    code: str,
    superior: int | None,
    template: DepartmentTemplate | None,
    *,
    grade: int,
    headcount: int | None = None,
) -> _Planned:
    return _Planned(
        position=Position(
            title=title,
            code=code,
            department=department,
            grade_min=max(1, grade - 1),
            grade_max=grade,
            headcount=headcount,
            location=f"{department.parent.name if department.parent_id else department.name}",
        ),
        superior=superior,
        template=template,
    )


def _plan_department(
    plan: list[_Planned],
    template: DepartmentTemplate,
    department: Department,
    size: int,
    gm_index: int,
    rng: random.Random,
) -> None:
    if size < 1:
        return
    number = iter(range(1, size + 1))

    def code() -> str:
        return f"{department.code}-{next(number):03d}"

    head = len(plan)
    plan.append(_planned(department, template.head, code(), gm_index, template, grade=14))
    supervisors = min(len(TEAMS), max(0, (size - 1) // 12))
    leads = []
    for team in TEAMS[:supervisors]:
        leads.append(len(plan))
        title = f"{template.supervisor}（{team}组）"
        plan.append(_planned(department, title, code(), head, template, grade=10))
    staff = size - 1 - supervisors
    for i in range(staff):
        superior = leads[i % len(leads)] if leads else head
        base = template.staff[(i // max(1, len(leads))) % len(template.staff)]
        team = f"（{TEAMS[leads.index(superior)]}组）" if leads else ""
        headcount = rng.choice((1, 1, 1, 2, 3, None))
        plan.append(
            _planned(
                department,
                f"{base}{team}",
                code(),
                superior,
                template,
                grade=rng.randint(4, 8),
                headcount=headcount,
            )
        )


def _create_sections(
    plan: list[_Planned], rng: random.Random, per_position: int, say: Progress, write_batch: int
) -> int:
    """Create every planned position with its sections through the one writer (its bulk entry
    point for new sheets, ``create_sheets``)."""
    writes: list[SheetWrite] = []
    chunk_start = 0  # the plan index of the batch's first sheet
    analysed_at = write_batch // 2  # statistics refreshed whenever the sheets doubled
    duty_count = 0
    for n, item in enumerate(plan):
        position = item.position
        template = item.template or DEPARTMENTS[n % len(DEPARTMENTS)]
        project = rng.choice(PROJECTS)
        chosen = rng.sample(template.duties, min(per_position, len(template.duties)))
        while len(chosen) < per_position:
            chosen.append(rng.choice(template.duties))
        duties = []
        for rank, duty in enumerate(chosen, start=1):
            duties.append(
                {
                    "group": "",
                    "kind": Duty.Kind.KEY if rank <= 3 else Duty.Kind.GENERAL,
                    "title": duty.title,
                    "tasks": "\n".join(task.replace("{项目}", project) for task in duty.tasks),
                    "responsibility": Duty.Responsibility.FULL
                    if rank <= 3
                    else rng.choice(list(Duty.Responsibility.values)),
                    "assessment": duty.assessment,
                }
            )
        if rng.random() < 0.001:  # a rare phrase, for benchmarks of selective queries
            duties[-1]["title"] = RARE_DUTY[0]
            duties[-1]["tasks"] = "\n".join(RARE_DUTY[1])
        duty_count += len(duties)
        education, note = rng.choice(EDUCATIONS)
        years = rng.randint(1, 8)
        sections = {
            "duties": duties,
            "relationships": [
                {
                    "kind": Relationship.Kind.INTERNAL,
                    "party": "各部门",
                    "purpose": "工作协调与信息沟通",
                },
                {
                    "kind": Relationship.Kind.EXTERNAL,
                    "party": "客户、合作单位",
                    "purpose": "业务联系",
                },
            ],
            "indicators": [{"name": duty.assessment, "description": ""} for duty in chosen[:3]],
            "qualification": [
                {
                    "education": education,
                    "education_note": note,
                    "major": template.major,
                    "experience_years": years,
                    "experience": f"{years}年以上{template.name[:-1]}相关工作经验",
                    "knowledge": f"熟悉{template.name[:-1]}专业知识及房地产相关法规",
                    "skills": "具有较强的沟通协调、计划执行与解决问题能力",
                    "qualities": "具有较强的责任心、服务意识和团队合作精神",
                }
            ],
        }
        fields = {
            "title": position.title,
            "code": position.code,
            "department_id": position.department_id,
            "reports_to_id": None,
            "grade_min": position.grade_min,
            "grade_max": position.grade_max,
            "headcount": position.headcount,
            "location": position.location,
            "purpose": (
                f"在{position.department.name}负责{template.name[:-1]}相关工作，"
                f"保证{project}项目目标的实现。"
            ),
            "summary": (
                f"负责{project}项目{template.name}的{template.duties[0].title}与"
                f"{template.duties[1].title}，配合相关部门完成年度经营目标。"
            ),
            "commitments": "保证本岗位工作按时保质完成；\n遵守公司各项规章制度；",
        }
        superior = ""
        if item.superior is not None and item.superior >= chunk_start:
            superior = str(item.superior)  # in this batch
        elif item.superior is not None:
            fields["reports_to_id"] = plan[item.superior].position.pk  # an earlier batch
        writes.append(
            SheetWrite(
                position=None,
                content=SheetContent(fields=fields, sections=sections, reports_to_key=superior),
                key=str(n),
            )
        )
        if len(writes) == write_batch or n == len(plan) - 1:
            written = create_sheets(writes=writes, comment="生成模拟数据")
            if n + 1 >= analysed_at * 2:
                _analyse()
                analysed_at = n + 1
            for done, position in zip(plan[chunk_start : n + 1], written, strict=True):
                # Only the id is needed from now on: memory stays flat whatever the count.
                done.position = Position(pk=position.pk, department_id=position.department_id)
            writes, chunk_start = [], n + 1
            say(f"职位：{n + 1}/{len(plan)}")
    say(f"职位：{len(plan)} 个；工作职责：{duty_count} 条；其余部分已生成")
    return duty_count


# What one generation fills: analysed inside its transaction (below).
ANALYSED_TABLES = (
    Position,
    Duty,
    Qualification,
    Relationship,
    Indicator,
    SearchEntry,
    Version,
    RevisionVersion,
    Revision,
)


# The search tables' GIN indexes (positions_searchentry's tokens, positions_searchdocument's
# keys): built once after the bulk load instead of entry by entry.
SEARCH_INDEXED_TABLES = (SearchEntry, SearchDocument)


@contextlib.contextmanager
def _search_indexes_built_after() -> Iterator[None]:
    """Drop the search tables' GIN indexes for the generation and create them again, from
    their own definitions (``pg_indexes``), when it is done — in the same transaction, so a
    failed generation leaves them as they were.

    Inserting the rows of 100,000 positions entry by entry into the GIN indexes was most of
    the search index's share of the generation; PostgreSQL builds a GIN index from a full
    table far faster. Nothing reads the search tables while the generator fills them.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in SEARCH_INDEXED_TABLES]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = ANY(%s) "
            "AND indexdef LIKE '%%USING gin%%' ORDER BY indexname",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        # The rows' foreign keys are checked at commit (Django's deferred constraints), and
        # PostgreSQL builds no index on a table with checks pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# The cyclic garbage collector's thresholds during a generation (Python's default: 700, 10, 10).
GC_THRESHOLDS = (50_000, 20, 4)


@contextlib.contextmanager
def _garbage_collected_rarely() -> Iterator[None]:
    """Run Python's cyclic garbage collector less often during the generation; the
    thresholds in force before are restored afterwards.

    A batch keeps hundreds of thousands of objects alive (its sheets, rows, revisions and
    index rows) while it allocates more: with the default thresholds the collector traversed
    them again and again, a quarter of the generation's CPU time (cProfile charges it to
    whichever function happens to allocate). With these, young objects are collected every
    50,000 allocations and the whole heap about every four million, which keeps the memory
    bounded (a few hundred MB more at most) for a tenth of the collector's time. Nothing
    the generation writes depends on when the collector runs.
    """
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _analyse() -> None:
    """Refresh PostgreSQL's statistics of the tables being filled.

    The whole generation is one transaction, which autovacuum's ANALYZE cannot see into: the
    planner kept the sizes of nearly empty tables and, past 30,000 positions, sent one
    prefetch into a plan that ran for minutes. ANALYZE inside the transaction counts its own
    rows. Run when the sheets doubled, so that it costs a few seconds in all.
    """
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in ANALYSED_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def _create_employees(plan: list[_Planned], rng: random.Random, prefix: str, say: Progress) -> int:
    namer = _Namer(rng)
    held = [item.position for item in plan if rng.random() < 0.7]
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        [
            user_model(username=f"{prefix.lower()}{n:06d}", password="!", first_name=namer.person())
            for n in range(1, len(held) + 1)
        ],
        batch_size=2000,
    )
    employees = Employee.objects.bulk_create(
        [
            Employee(
                user=user,
                name=user.first_name,
                employee_no=f"{prefix}{n:06d}",
                hired_on=datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randint(0, 3600)),
            )
            for n, user in enumerate(users, start=1)
        ],
        batch_size=2000,
    )
    Assignment.objects.bulk_create(
        [
            Assignment(employee=employee, position=position, start_date=employee.hired_on)
            for employee, position in zip(employees, held, strict=True)
        ],
        batch_size=2000,
    )
    say(f"员工：{len(employees)} 名（含任职记录）")
    return len(employees)


def _publish(plan: list[_Planned], say: Progress, batch_size: int = 500) -> tuple[int, int]:
    """Publish every position as V1 (as ``publish_version`` does) and index it for search."""
    ids = [item.position.pk for item in plan]
    approved = datetime.date(2025, 1, 1)
    Position.objects.filter(pk__in=ids).update(
        status=Position.Status.PUBLISHED,
        prepared_by_name="王人事",
        prepared_at=approved - datetime.timedelta(days=14),
        reviewed_by_name="陈经理",
        reviewed_at=approved - datetime.timedelta(days=7),
        approved_by_name="赵总",
        approved_at=approved,
    )
    versions = 0
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        positions = list(Position.objects.with_sheet().filter(pk__in=chunk))
        sheets = [
            dataclasses.replace(
                build_sheet(p),
                version=1,
                is_published=True,
                effective_date=p.approved_at.isoformat(),
            )
            for p in positions
        ]
        created = Version.objects.bulk_create(
            [
                Version(
                    position=p,
                    number=1,
                    title=p.title,
                    code=p.code,
                    department=p.department,
                    reports_to_id=p.reports_to_id,
                    grade_min=p.grade_min,
                    grade_max=p.grade_max,
                    headcount=p.headcount,
                    sheet=sheet.as_dict(),
                    effective_date=p.approved_at,
                    prepared_by_name=p.prepared_by_name,
                    prepared_at=p.prepared_at,
                    reviewed_by_name=p.reviewed_by_name,
                    reviewed_at=p.reviewed_at,
                    approved_by_name=p.approved_by_name,
                    approved_at=p.approved_at,
                )
                for p, sheet in zip(positions, sheets, strict=True)
            ]
        )
        # One UPDATE … FROM the V1 rows (bulk_update's CASE with a branch per position cost a
        # tenth of the publication's time).
        Position.objects.filter(pk__in=chunk).update(
            current_version=Subquery(
                Version.objects.filter(position=OuterRef("pk"), number=1).values("pk")[:1]
            )
        )
        for position, version in zip(positions, created, strict=True):
            position.current_version = version
        # The writer indexed the working copies; publishing adds the V1 rows (the working
        # copies' text is unchanged by publication).
        store_published_entries(
            [(position.pk, sheet) for position, sheet in zip(positions, sheets, strict=True)]
        )
        versions += len(created)
        say(f"已发布 V1：{min(start + batch_size, len(ids))}/{len(ids)}")
    entries = SearchEntry.objects.filter(position_id__in=ids).count()
    return versions, entries
