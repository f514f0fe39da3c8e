"""Demo content for the ``seed-demo`` command.

Pure data: a believable company with people, ideas, comments and replies,
in English and Simplified Chinese.
"""
from __future__ import annotations

from typing import Dict, List, Tuple

COMPANY_DOMAIN = "example.com"

DEPARTMENTS: List[str] = [
    "Product Development",
    "Marketing",
    "Sales",
    "Operations",
    "Finance",
    "People & Culture",
]

# 60 people, 10 per department. The first three are the demo logins.
# Levels: 36 frontline, 15 manager, 6 senior, 3 executive. 25 zh / 35 en.
PEOPLE: List[dict] = [
    {"name": "Alex Morgan", "email_local": "employee", "department": "Operations", "level": "frontline", "locale": "en"},
    {"name": "陈静", "email_local": "leader", "department": "Product Development", "level": "senior", "locale": "zh"},
    {"name": "Sam Rivera", "email_local": "admin", "department": "People & Culture", "level": "manager", "locale": "en"},
    # Product Development
    {"name": "周建国", "email_local": "zhou.jianguo", "department": "Product Development", "level": "executive", "locale": "zh"},
    {"name": "Ben Carter", "email_local": "ben.carter", "department": "Product Development", "level": "manager", "locale": "en"},
    {"name": "杨帆", "email_local": "yang.fan", "department": "Product Development", "level": "manager", "locale": "zh"},
    {"name": "王芳", "email_local": "wang.fang", "department": "Product Development", "level": "frontline", "locale": "zh"},
    {"name": "李伟", "email_local": "li.wei", "department": "Product Development", "level": "frontline", "locale": "zh"},
    {"name": "Aisha Khan", "email_local": "aisha.khan", "department": "Product Development", "level": "frontline", "locale": "en"},
    {"name": "Lucas Moreau", "email_local": "lucas.moreau", "department": "Product Development", "level": "frontline", "locale": "en"},
    {"name": "黄磊", "email_local": "huang.lei", "department": "Product Development", "level": "frontline", "locale": "zh"},
    {"name": "Emily Nakamura", "email_local": "emily.nakamura", "department": "Product Development", "level": "frontline", "locale": "en"},
    # Marketing
    {"name": "Priya Raman", "email_local": "priya.raman", "department": "Marketing", "level": "senior", "locale": "en"},
    {"name": "Sophie Laurent", "email_local": "sophie.laurent", "department": "Marketing", "level": "manager", "locale": "en"},
    {"name": "孙丽", "email_local": "sun.li", "department": "Marketing", "level": "manager", "locale": "zh"},
    {"name": "Maria Garcia", "email_local": "maria.garcia", "department": "Marketing", "level": "frontline", "locale": "en"},
    {"name": "张敏", "email_local": "zhang.min", "department": "Marketing", "level": "frontline", "locale": "zh"},
    {"name": "Oliver Bennett", "email_local": "oliver.bennett", "department": "Marketing", "level": "frontline", "locale": "en"},
    {"name": "赵婷", "email_local": "zhao.ting", "department": "Marketing", "level": "frontline", "locale": "zh"},
    {"name": "Jack O'Neill", "email_local": "jack.oneill", "department": "Marketing", "level": "frontline", "locale": "en"},
    {"name": "Fatima Al-Sayed", "email_local": "fatima.alsayed", "department": "Marketing", "level": "frontline", "locale": "en"},
    {"name": "吴昊", "email_local": "wu.hao", "department": "Marketing", "level": "frontline", "locale": "zh"},
    # Sales
    {"name": "David Lindqvist", "email_local": "david.lindqvist", "department": "Sales", "level": "executive", "locale": "en"},
    {"name": "Carlos Mendes", "email_local": "carlos.mendes", "department": "Sales", "level": "senior", "locale": "en"},
    {"name": "Rachel Kim", "email_local": "rachel.kim", "department": "Sales", "level": "manager", "locale": "en"},
    {"name": "马超", "email_local": "ma.chao", "department": "Sales", "level": "manager", "locale": "zh"},
    {"name": "Tom Fischer", "email_local": "tom.fischer", "department": "Sales", "level": "manager", "locale": "en"},
    {"name": "何静", "email_local": "he.jing", "department": "Sales", "level": "frontline", "locale": "zh"},
    {"name": "Daniel Osei", "email_local": "daniel.osei", "department": "Sales", "level": "frontline", "locale": "en"},
    {"name": "林晓", "email_local": "lin.xiao", "department": "Sales", "level": "frontline", "locale": "zh"},
    {"name": "Chloe Dubois", "email_local": "chloe.dubois", "department": "Sales", "level": "frontline", "locale": "en"},
    {"name": "Ryan Patel", "email_local": "ryan.patel", "department": "Sales", "level": "frontline", "locale": "en"},
    # Operations
    {"name": "刘洋", "email_local": "liu.yang", "department": "Operations", "level": "senior", "locale": "zh"},
    {"name": "Grace Thompson", "email_local": "grace.thompson", "department": "Operations", "level": "manager", "locale": "en"},
    {"name": "高强", "email_local": "gao.qiang", "department": "Operations", "level": "manager", "locale": "zh"},
    {"name": "Ingrid Larsen", "email_local": "ingrid.larsen", "department": "Operations", "level": "manager", "locale": "en"},
    {"name": "郭鹏", "email_local": "guo.peng", "department": "Operations", "level": "frontline", "locale": "zh"},
    {"name": "Nina Petrova", "email_local": "nina.petrova", "department": "Operations", "level": "frontline", "locale": "en"},
    {"name": "Samuel Adeyemi", "email_local": "samuel.adeyemi", "department": "Operations", "level": "frontline", "locale": "en"},
    {"name": "罗敏", "email_local": "luo.min", "department": "Operations", "level": "frontline", "locale": "zh"},
    {"name": "Mateo Rossi", "email_local": "mateo.rossi", "department": "Operations", "level": "frontline", "locale": "en"},
    # Finance
    {"name": "Margaret Okafor", "email_local": "margaret.okafor", "department": "Finance", "level": "executive", "locale": "en"},
    {"name": "Hannah Schultz", "email_local": "hannah.schultz", "department": "Finance", "level": "senior", "locale": "en"},
    {"name": "朱红", "email_local": "zhu.hong", "department": "Finance", "level": "manager", "locale": "zh"},
    {"name": "Kevin O'Brien", "email_local": "kevin.obrien", "department": "Finance", "level": "manager", "locale": "en"},
    {"name": "胡斌", "email_local": "hu.bin", "department": "Finance", "level": "frontline", "locale": "zh"},
    {"name": "Laura Jensen", "email_local": "laura.jensen", "department": "Finance", "level": "frontline", "locale": "en"},
    {"name": "梁宇", "email_local": "liang.yu", "department": "Finance", "level": "frontline", "locale": "zh"},
    {"name": "Ahmed Hassan", "email_local": "ahmed.hassan", "department": "Finance", "level": "frontline", "locale": "en"},
    {"name": "Isabel Costa", "email_local": "isabel.costa", "department": "Finance", "level": "frontline", "locale": "en"},
    {"name": "宋佳", "email_local": "song.jia", "department": "Finance", "level": "frontline", "locale": "zh"},
    # People & Culture
    {"name": "郑晓梅", "email_local": "zheng.xiaomei", "department": "People & Culture", "level": "senior", "locale": "zh"},
    {"name": "Olivia Brown", "email_local": "olivia.brown", "department": "People & Culture", "level": "manager", "locale": "en"},
    {"name": "韩雪", "email_local": "han.xue", "department": "People & Culture", "level": "manager", "locale": "zh"},
    {"name": "谢雨桐", "email_local": "xie.yutong", "department": "People & Culture", "level": "frontline", "locale": "zh"},
    {"name": "Jasmine Wright", "email_local": "jasmine.wright", "department": "People & Culture", "level": "frontline", "locale": "en"},
    {"name": "Noah Williams", "email_local": "noah.williams", "department": "People & Culture", "level": "frontline", "locale": "en"},
    {"name": "唐亮", "email_local": "tang.liang", "department": "People & Culture", "level": "frontline", "locale": "zh"},
    {"name": "Elena Popescu", "email_local": "elena.popescu", "department": "People & Culture", "level": "frontline", "locale": "en"},
    {"name": "Marcus Johnson", "email_local": "marcus.johnson", "department": "People & Culture", "level": "frontline", "locale": "en"},
]

# Shared tag vocabulary (15): process, product, customers, cost, tools,
# onboarding, remote-work, sustainability, launches, meetings, quality,
# data, training, wellbeing, sales.
#
# Near-duplicate pairs (for "similar ideas"):
#   en: meeting-free Wednesdays / one no-meeting day per week
#   en: auto-fill expense reports / card feed pre-populates expense claims
#   zh: 新员工固定导师 / 入职伙伴
#   zh: 跨部门交接清单 / 销售转运营交接模板
IDEAS: List[dict] = [
    {"title": "Meeting-free Wednesdays for the whole company",
     "body": ("Most of us only get real focus time after 6 pm. I propose **no internal meetings on Wednesdays**, "
              "company-wide, with customer calls as the only exception. Calendars would block the day by default. "
              "Let's try it for one quarter and compare output and stress survey results."),
     "tags": ["meetings", "wellbeing"], "lang": "en", "popularity": 9, "controversy": 0.25},
    {"title": "产品上线总是延期？建议需求冻结提前到上线前两周",
     "body": ("过去半年我们有四个版本延期上线，复盘下来，最主要的原因是上线前一周还在加需求。建议：\n\n"
              "- 上线前**两周**冻结需求，之后只修 bug\n"
              "- 确实要加的需求，由产品负责人书面说明理由并同步给测试\n\n"
              "这样测试和运营都能提前准备，不用每次都在上线前一晚通宵。"),
     "tags": ["launches", "product"], "lang": "zh", "popularity": 9, "controversy": 0.3},
    {"title": "A one-page launch checklist that every team signs off",
     "body": ("Every launch, someone discovers on the last day that support wasn't trained or pricing wasn't updated. "
              "A single one-page checklist would fix most of this:\n\n"
              "- Product: release notes and known issues\n- Marketing: messaging and assets\n"
              "- Sales and Support: training done, FAQ published\n\n"
              "Launch only goes ahead when every owner has ticked their box."),
     "tags": ["launches", "process"], "lang": "en", "popularity": 8, "controversy": 0.1},
    {"title": "Auto-fill expense reports from corporate card transactions",
     "body": ("Filing expenses takes me about an hour a month, mostly retyping what the bank already knows. "
              "Our card provider offers a transaction feed that could pre-fill date, merchant and amount. "
              "We'd only need to attach a receipt photo and pick a cost centre."),
     "tags": ["tools", "cost", "process"], "lang": "en", "popularity": 7, "controversy": 0.1},
    {"title": "新员工入职第一周安排固定导师",
     "body": ("现在新人入职基本靠自己摸索，问个报销流程都不知道该找谁。"
              "建议每位新员工入职时指定一位同部门的导师，第一周每天花半小时答疑，第一个月每周聊一次。"
              "导师的投入可以计入绩效，免得变成额外负担。"),
     "tags": ["onboarding"], "lang": "zh", "popularity": 7, "controversy": 0.1},
    {"title": "Customer call shadowing for every new engineer",
     "body": ("Engineers who have heard a frustrated customer build different software. "
              "I suggest every new developer shadows at least **three customer calls** in their first month, "
              "with Sales or Support. It costs a few hours and gives context no spec ever will."),
     "tags": ["onboarding", "customers", "product"], "lang": "en", "popularity": 6, "controversy": 0.15},
    {"title": "跨部门交接统一用一张交接清单",
     "body": ("项目从一个部门转到另一个部门时，经常出现“我以为你知道”的情况，客户信息、报价细节、特殊承诺都容易漏掉。"
              "建议公司统一一张交接清单，至少包括：\n\n"
              "- 客户关键联系人和沟通记录\n- 已经承诺的交付时间和特殊条款\n- 尚未解决的问题\n\n"
              "交接双方都确认之后才算交接完成。"),
     "tags": ["process"], "lang": "zh", "popularity": 8, "controversy": 0.1},
    {"title": "Why are our launches always late? Blameless post-mortems on the last three",
     "body": ("Our last three launches slipped by two to six weeks, and each time we blamed something different. "
              "I'd like us to run **blameless post-mortems** on all three together and look for the common pattern. "
              "My guess is late scope changes and unclear ownership, but let's find out with facts. "
              "Results should be published here so everyone can see them."),
     "tags": ["launches", "quality"], "lang": "en", "popularity": 10, "controversy": 0.15},
    {"title": "Replace the Friday all-hands slides with a written digest",
     "body": ("The Friday all-hands is 45 minutes of slides most people half-listen to. "
              "A written digest sent Thursday would let people read at their own pace, and we could keep "
              "a 15-minute live Q&A for questions."),
     "tags": ["meetings"], "lang": "en", "popularity": 4, "controversy": 0.4},
    {"title": "客服工单里的高频问题每月汇总给产品团队",
     "body": ("客服每天都在回答同样的问题，但这些信息很少传到产品那边。"
              "建议客服组每月整理一次**前十大高频问题**，附上工单数量和客户的典型原话，在产品例会上花十分钟过一遍。"
              "很多问题其实改一句提示文案就能解决。"),
     "tags": ["customers", "product", "data"], "lang": "zh", "popularity": 8, "controversy": 0.05},
    {"title": "Onboarding buddy for the first 90 days",
     "body": ("New hires are often too shy to ask their manager basic questions. "
              "Pair every newcomer with a buddy from a different team for 90 days: coffee once a week, "
              "no agenda, just someone to ask. It also builds cross-team connections from day one."),
     "tags": ["onboarding", "wellbeing"], "lang": "en", "popularity": 8, "controversy": 0.05},
    {"title": "会议邀请必须附议程，没有议程可以婉拒",
     "body": ("我们每周的会议很多，但不少会开到一半才搞清楚要讨论什么。"
              "建议定个简单的规矩：发会议邀请时必须写明议程和希望达成的结论，没有议程的会议，大家可以礼貌地婉拒。"
              "先试行一个月，看看会议时长有没有变化。"),
     "tags": ["meetings"], "lang": "zh", "popularity": 7, "controversy": 0.2},
    {"title": "A single intake form for cross-department requests",
     "body": ("Today requests to Operations arrive by email, chat, hallway and sticky note. "
              "Nothing gets tracked and priorities are set by whoever shouts loudest. "
              "One shared intake form with a visible queue would make the work and the wait times transparent."),
     "tags": ["process", "tools"], "lang": "en", "popularity": 6, "controversy": 0.2},
    {"title": "商业计划书定稿前，开放全员评审一周",
     "body": ("每年的商业计划都是管理层闭门讨论，一线同事看到的时候已经定稿了，很多落地层面的问题只能事后补救。"
              "建议定稿前把核心内容在 Ideaboard 上公开一周，任何人都可以提质疑和建议，得票最高的意见由负责人公开回复。"
              "**一线最清楚哪些目标不切实际**，早点听到总比年底才发现要好。"),
     "tags": ["process", "product"], "lang": "zh", "popularity": 9, "controversy": 0.2},
    {"title": "Switch office lighting to motion sensors",
     "body": ("Meeting rooms and storage areas stay lit all night. "
              "Motion sensors are cheap and typically pay for themselves within a year. "
              "It's a small but visible step for our sustainability goals."),
     "tags": ["sustainability", "cost"], "lang": "en", "popularity": 3, "controversy": 0.1},
    {"title": "周报改成双周报",
     "body": ("现在每周五下午大家都在写周报，内容其实大同小异，很多人也不看。"
              "建议改成双周报，格式压缩到三项：完成了什么、遇到什么阻碍、需要谁支持。"
              "紧急的事本来就会随时沟通，用不着等周报。"),
     "tags": ["process", "meetings"], "lang": "zh", "popularity": 6, "controversy": 0.35},
    {"title": "Default to 25- and 50-minute meetings",
     "body": ("Back-to-back hour-long meetings leave no time to breathe, walk or even get water. "
              "Setting the calendar default to **25 and 50 minutes** is a one-click change. "
              "Meetings expand to fill the time anyway, so we won't lose anything."),
     "tags": ["meetings", "wellbeing"], "lang": "en", "popularity": 5, "controversy": 0.2},
    {"title": "打印机默认设置为双面黑白",
     "body": ("行政那边统计过，去年打印纸和彩色墨盒的费用比前年高了不少。"
              "建议把所有打印机默认改成双面黑白，需要彩色的时候手动切换就行。"
              "改一下设置几乎不花钱，省下来的纸和耗材却很可观。"),
     "tags": ["sustainability", "cost"], "lang": "zh", "popularity": 4, "controversy": 0.1},
    {"title": "Share the monthly churn dashboard with everyone",
     "body": ("Only leadership sees why customers leave. If everyone could see churn and its top reasons, "
              "teams would connect their work to real outcomes. "
              "We can strip out anything commercially sensitive before sharing."),
     "tags": ["data", "customers"], "lang": "en", "popularity": 4, "controversy": 0.35},
    {"title": "Four-day work week pilot in one team",
     "body": ("Several companies have reported equal output with a four-day week. "
              "I propose a **three-month pilot** in one volunteer team, with clear metrics agreed upfront:\n\n"
              "- delivery against plan\n- customer response times\n- wellbeing survey scores\n\n"
              "If the numbers drop, we stop. If not, we talk about scaling it."),
     "tags": ["wellbeing", "remote-work"], "lang": "en", "popularity": 6, "controversy": 0.55},
    {"title": "报销审批超过五个工作日自动提醒",
     "body": ("有些报销单在审批人那里一放就是两三周，一线同事垫付的钱迟迟拿不回来。"
              "建议系统在单据停留超过五个工作日时自动提醒审批人，超过十个工作日再抄送其上级。"
              "现有的审批系统应该本来就支持这个功能，只是一直没开。"),
     "tags": ["process", "tools"], "lang": "zh", "popularity": 5, "controversy": 0.1},
    {"title": "Consolidate our three project-tracking tools into one",
     "body": ("Product uses one tracker, Marketing another, Operations a third, and nobody can see the whole picture. "
              "We also pay for three licences. Picking one tool, even an imperfect one, "
              "would save money and make cross-team status visible."),
     "tags": ["tools", "cost"], "lang": "en", "popularity": 7, "controversy": 0.3},
    {"title": "远程办公日统一安排在周五",
     "body": ("现在每个组的远程办公日都不一样，想约个跨部门的线下讨论，人总是凑不齐。"
              "建议全公司统一把远程办公日定在周五，周一到周四尽量都在办公室。"
              "这样既保留了灵活性，协作也更方便。"),
     "tags": ["remote-work"], "lang": "zh", "popularity": 5, "controversy": 0.45},
    {"title": "Let Sales log feature requests directly into the product backlog",
     "body": ("Customer requests get lost between a sales call and the product team. "
              "If account managers could file requests straight into the backlog, tagged with customer and deal size, "
              "Product would see real demand instead of anecdotes. Product keeps the final say on priority."),
     "tags": ["sales", "product", "process"], "lang": "en", "popularity": 5, "controversy": 0.45},
    {"title": "Protect one no-meeting day per week",
     "body": ("Could we agree on one day a week with no internal meetings? "
              "Deep work keeps getting squeezed into evenings. "
              "Any day is fine as long as it's the **same day for everyone**, otherwise it doesn't work."),
     "tags": ["meetings", "wellbeing"], "lang": "en", "popularity": 7, "controversy": 0.3},
    {"title": "建内部知识库，把群聊里的经验沉淀下来",
     "body": ("很多有用的经验，比如某个客户的特殊要求、某个系统报错怎么处理，都散落在各种群聊里，换个人就找不到了。"
              "建议搭一个内部知识库，按部门和主题分类，每次解决了新问题就顺手记一笔。"
              "可以先从运营和客服开始试点。"),
     "tags": ["tools", "training"], "lang": "zh", "popularity": 7, "controversy": 0.1},
    {"title": "Remote-first etiquette: if one person is remote, everyone dials in",
     "body": ("Hybrid meetings where the room talks and remote people squint at a whiteboard don't work. "
              "Simple rule: if even one participant is remote, **everyone joins from their own laptop**. "
              "It puts everyone on equal footing."),
     "tags": ["remote-work", "meetings"], "lang": "en", "popularity": 6, "controversy": 0.2},
    {"title": "一线员工每季度可以直接向管理层提一个问题",
     "body": ("很多一线同事有疑问，但一层层往上报，往往就没了下文。"
              "建议每季度开放一次提问通道，每个人都可以直接向管理层提一个问题，得票最多的十个问题必须在季度全员会上**公开回答**。"
              "提问可以匿名，但回答必须署名。"),
     "tags": ["meetings", "process"], "lang": "zh", "popularity": 6, "controversy": 0.25},
    {"title": "Home office equipment stipend",
     "body": ("Many of us work from home two or three days a week on kitchen chairs and laptop screens. "
              "A one-off stipend for a chair, monitor or headset would pay back quickly in comfort and fewer sick days. "
              "Other companies in our sector already offer this."),
     "tags": ["remote-work", "cost", "wellbeing"], "lang": "en", "popularity": 8, "controversy": 0.3},
    {"title": "办公室装直饮水机，取消桶装水",
     "body": ("现在每层楼每周要换十几桶水，既占地方又要人搬，空桶也经常堆在茶水间。"
              "装几台直饮水机，一次性投入大概一年多就能回本，还能少用不少塑料。"),
     "tags": ["sustainability", "cost"], "lang": "zh", "popularity": 3, "controversy": 0.15},
    {"title": "Replace the break-room coffee machine",
     "body": "The coffee machine on the 3rd floor has been broken for weeks. Can we get a new one?",
     "tags": ["wellbeing"], "lang": "en", "popularity": 1, "controversy": 0.5},
    {"title": "简化销售合同模板，减少和法务来回沟通",
     "body": ("一份标准合同从销售提交到法务审核通过，平均要来回三四轮，很多修改都是同样的条款。"
              "建议法务和销售一起梳理出一套标准模板，把常见的修改项做成可选条款。"
              "只要客户不动核心条款，销售就可以直接签，不必再走完整审核。"),
     "tags": ["sales", "process"], "lang": "zh", "popularity": 6, "controversy": 0.25},
    {"title": "A quarterly customer day: everyone answers support tickets",
     "body": ("Once a quarter, everyone from interns to executives spends half a day answering support tickets "
              "alongside the Support team. You learn more about our product in four hours than in a month of meetings. "
              "It also shows Support that their work matters."),
     "tags": ["customers", "training"], "lang": "en", "popularity": 7, "controversy": 0.2},
    {"title": "Standardise the Sales-to-Operations handoff with a kickoff call",
     "body": ("After a deal closes, Operations often learns about special terms from the customer, which is embarrassing. "
              "A mandatory 30-minute kickoff call with Sales, Operations and the customer, within a week of signing, "
              "would catch these surprises early."),
     "tags": ["sales", "process", "customers"], "lang": "en", "popularity": 6, "controversy": 0.15},
    {"title": "销售转运营的项目交接，建议做成标准模板",
     "body": ("销售签完单交给运营的时候，经常只转发一封邮件，客户的特殊要求还得运营自己去翻聊天记录。"
              "建议做一个标准的交接模板，销售签单后两个工作日内填完，运营确认后才算交接完成。"),
     "tags": ["process", "sales"], "lang": "zh", "popularity": 6, "controversy": 0.15},
    {"title": "An internal mobility board for open roles",
     "body": ("People leave to find growth we could have offered them. "
              "Post every open role internally for two weeks before going external, "
              "and let managers see who is interested in moving."),
     "tags": ["training", "onboarding"], "lang": "en", "popularity": 5, "controversy": 0.3},
    {"title": "员工体检增加心理咨询额度",
     "body": ("年度体检只关注身体指标，但这两年大家的工作压力明显变大了。"
              "建议在体检套餐里加入每年三次免费心理咨询，由第三方机构提供，公司不接触任何个人信息。"
              "不少同行已经在做了，成本其实不高。"),
     "tags": ["wellbeing"], "lang": "zh", "popularity": 5, "controversy": 0.15},
    {"title": "Stop printing the monthly finance pack",
     "body": ("We still print about forty copies of a 60-page finance pack every month, and most go straight to recycling. "
              "A shared PDF with comments enabled would work just as well."),
     "tags": ["sustainability", "cost"], "lang": "en", "popularity": 3, "controversy": 0.1},
    {"title": "给客户成功团队开放产品测试环境",
     "body": ("客户问新功能怎么用的时候，客户成功的同事往往自己都还没见过。"
              "建议新版本一进测试环境，就给客户成功团队开放权限，让他们提前熟悉并准备好说明材料。"
              "顺便还能多一批人帮忙找问题。"),
     "tags": ["customers", "tools"], "lang": "zh", "popularity": 4, "controversy": 0.1},
    {"title": "A 'kill list' for projects nobody owns anymore",
     "body": ("We have dozens of half-finished initiatives still consuming meetings and licences. "
              "Twice a year, publish a list of projects without an active owner and retire them unless someone steps up. "
              "**Stopping things is also a decision.**"),
     "tags": ["process", "cost"], "lang": "en", "popularity": 6, "controversy": 0.4},
    {"title": "Lunch-and-learn sessions run by frontline staff",
     "body": ("Training is usually designed top-down, but the people closest to the work know the best tricks. "
              "A monthly lunch-and-learn where a frontline colleague teaches something in 30 minutes, "
              "with lunch provided, would spread that knowledge cheaply."),
     "tags": ["training"], "lang": "en", "popularity": 5, "controversy": 0.05},
    {"title": "季度目标拆解会改为在线文档协作",
     "body": ("每季度的目标拆解会要开一整天，大部分时间都在念 PPT。"
              "建议提前三天把目标草案放到共享文档里，各部门直接在文档里评论和修改，会上只讨论有分歧的部分。"
              "估计一天的会能压缩到两个小时。"),
     "tags": ["meetings", "tools"], "lang": "zh", "popularity": 3, "controversy": 0.4},
    {"title": "Publish a decision log for leadership decisions",
     "body": ("Big decisions are announced, but the reasoning rarely is. "
              "A simple public log with **what was decided, why, and what alternatives were considered** "
              "would build trust and help teams make consistent choices. "
              "It also gives us something to look back on when results come in."),
     "tags": ["process", "data"], "lang": "en", "popularity": 9, "controversy": 0.2},
    {"title": "正式上线前增加一轮真实客户灰度测试",
     "body": ("上次大版本上线后，第一周的投诉量翻了一倍，很多问题在内部测试时根本没暴露出来。"
              "建议上线前先挑 5% 的客户灰度发布一周，重点观察：\n\n"
              "- 核心流程的完成率\n- 客服工单量的变化\n\n"
              "数据没问题再全量上线。"),
     "tags": ["launches", "quality", "customers"], "lang": "zh", "popularity": 7, "controversy": 0.15},
    {"title": "Let the card feed pre-populate expense claims",
     "body": ("Why do we still type expenses by hand? The bank already sends us every transaction. "
              "If the expense tool imported the card feed automatically, claims would take minutes instead of an evening, "
              "and Finance would get fewer errors."),
     "tags": ["tools", "process"], "lang": "en", "popularity": 5, "controversy": 0.1},
    {"title": "差旅住宿标准按城市动态调整",
     "body": ("现在的住宿标准全国一刀切，去北京、上海出差基本订不到合规的酒店，只能自己贴钱；去小城市又明显用不完。"
              "建议按城市等级分三档设定标准，每年根据实际数据调整一次。"),
     "tags": ["cost"], "lang": "zh", "popularity": 2, "controversy": 0.5},
    {"title": "Self-service data access, with a short training course",
     "body": ("Every simple report request goes through two analysts, who are permanently overloaded. "
              "Give interested staff read-only access to the data warehouse after a half-day course. "
              "Analysts could then focus on the hard questions."),
     "tags": ["data", "tools", "training"], "lang": "en", "popularity": 4, "controversy": 0.35},
    {"title": "统一数据看板口径，别再各部门各算各的",
     "body": ("同样是“活跃客户数”，销售、运营和财务报出来的数字都不一样，开会经常要先花半小时对数。"
              "建议由数据团队牵头，统一核心指标的定义，所有看板都从同一个数据源取数。"
              "**口径统一了，讨论才有意义。**"),
     "tags": ["data"], "lang": "zh", "popularity": 8, "controversy": 0.1},
    {"title": "Offer a discount for annual prepayment",
     "body": ("Most of our mid-size customers pay monthly. A modest discount for paying a year upfront "
              "would improve cash flow and reduce churn. Finance would need to model the impact first."),
     "tags": ["sales", "cost"], "lang": "en", "popularity": 3, "controversy": 0.45},
    {"title": "Remove approval layers for purchases under $500",
     "body": ("A $40 software licence currently needs three signatures and takes two weeks. "
              "Let team leads approve anything under $500 directly, with a monthly spend report to Finance. "
              "The time we waste on approvals costs more than the purchases themselves."),
     "tags": ["process", "cost"], "lang": "en", "popularity": 8, "controversy": 0.15},
    {"title": "给每位新人配一位“入职伙伴”",
     "body": ("新同事刚来的时候不好意思总去问主管，很多小问题憋着不问，反而影响上手速度。"
              "建议每位新人配一位同级别的“入职伙伴”，带着熟悉环境、认识同事、解答日常问题，为期三个月。"),
     "tags": ["onboarding"], "lang": "zh", "popularity": 5, "controversy": 0.05},
    {"title": "Invite customers to a sprint review once a quarter",
     "body": ("We build features based on what we think customers want. "
              "Inviting two or three friendly customers to a sprint review each quarter "
              "would give the team direct feedback before we commit to a direction."),
     "tags": ["customers", "product"], "lang": "en", "popularity": 4, "controversy": 0.25},
    {"title": "中午十二点到一点半不安排会议",
     "body": ("最近经常有人把会约在午饭时间，大家只能边开会边啃面包。"
              "建议把十二点到一点半设为默认的无会议时段，直接在日历里标成忙碌。"
              "真有急事可以例外，但不应该成为常态。"),
     "tags": ["meetings", "wellbeing"], "lang": "zh", "popularity": 6, "controversy": 0.25},
    {"title": "A shared launch calendar visible to Marketing and Sales",
     "body": ("Sales often hears about a new feature from a customer before from us. "
              "A shared calendar of upcoming launches, with confidence levels, would let Marketing plan campaigns "
              "and Sales prepare conversations."),
     "tags": ["launches", "sales"], "lang": "en", "popularity": 7, "controversy": 0.1},
    {"title": "内部转岗前允许先借调一个月",
     "body": ("有些同事想换个方向发展，但直接申请转岗风险太大，万一不合适就很尴尬。"
              "建议允许先借调到目标部门一个月，双方都满意再正式调动。"
              "这样也能少流失一些因为看不到发展空间而离开的好员工。"),
     "tags": ["training"], "lang": "zh", "popularity": 5, "controversy": 0.2},
    {"title": "Ban laptops in decision meetings",
     "body": "Half the room is answering email during decision meetings. Laptops closed, phones away, no exceptions.",
     "tags": ["meetings"], "lang": "en", "popularity": 1, "controversy": 0.6},
    {"title": "Bike-to-work scheme and secure bike storage",
     "body": ("Several colleagues would cycle in if there were somewhere safe to leave a bike. "
              "A locked bike room and a tax-efficient bike purchase scheme are cheap, "
              "good for health and good for our carbon numbers."),
     "tags": ["sustainability", "wellbeing"], "lang": "en", "popularity": 4, "controversy": 0.1},
    {"title": "工位按项目组就近安排",
     "body": "现在同一个项目组的人分散在不同楼层，沟通基本靠聊天软件。建议每个季度按项目重新排一次工位，让同组的人坐在一起。",
     "tags": ["process"], "lang": "zh", "popularity": 1, "controversy": 0.55},
    {"title": "Report exit interview themes every quarter",
     "body": ("We run exit interviews but the insights stay in HR files. "
              "An anonymised quarterly summary of the top reasons people leave would help managers act before "
              "the next resignation."),
     "tags": ["data", "wellbeing"], "lang": "en", "popularity": 3, "controversy": 0.3},
    {"title": "设立“最佳踩坑分享奖”，鼓励大家复盘失败",
     "body": ("我们习惯只分享成功经验，但失败的教训往往更有价值。"
              "建议每季度评一次“最佳踩坑分享”，奖励那些主动把项目失误讲清楚、并提出改进办法的同事。"
              "关键是要让大家相信，**说出问题不会被追责**。"),
     "tags": ["quality", "training"], "lang": "zh", "popularity": 4, "controversy": 0.35},
    {"title": "A company-wide bug bash before every major release",
     "body": ("Two hours, pizza, and everyone trying to break the new release. "
              "Non-engineers find completely different bugs than QA does. "
              "Small prizes for the best finds keep it fun."),
     "tags": ["quality", "launches"], "lang": "en", "popularity": 6, "controversy": 0.1},
    {"title": "新产品命名前先做一次小范围客户调研",
     "body": ("上一款产品的名字内部都觉得不错，结果客户普遍记不住，市场部后来又花了不少钱重新推广。"
              "建议以后命名前准备三到五个备选，找二三十位老客户做个简单调研，花不了多少时间。"),
     "tags": ["product", "customers"], "lang": "zh", "popularity": 3, "controversy": 0.2},
    {"title": "Self-serve trial instead of sales demos for small accounts",
     "body": ("Small customers wait days for a demo slot and many never come back. "
              "A 14-day self-serve trial would let them try the product immediately, "
              "and free up Sales for larger deals. Sales would still follow up with engaged trial users."),
     "tags": ["sales", "product", "customers"], "lang": "en", "popularity": 5, "controversy": 0.5},
    {"title": "采购比价结果对申请人公开",
     "body": ("一线部门提了采购申请之后，最后选了哪家、为什么选，申请人完全不知道。"
              "建议把比价结果和选择理由同步给申请人，一来更透明，二来申请人也能反馈供应商的实际使用情况。"),
     "tags": ["cost", "process"], "lang": "zh", "popularity": 2, "controversy": 0.3},
    {"title": "Move onboarding paperwork online before day one",
     "body": ("New hires spend most of their first morning filling in forms. "
              "Sending contracts, tax forms and IT requests digitally a week before the start date "
              "means day one can be about people and the actual job."),
     "tags": ["onboarding", "tools"], "lang": "en", "popularity": 7, "controversy": 0.05},
    {"title": "A public status page for customers",
     "body": ("During outages, Support answers the same question hundreds of times. "
              "A public status page with incident updates would reduce ticket volume and show customers we're on it."),
     "tags": ["customers", "quality"], "lang": "en", "popularity": 5, "controversy": 0.2},
    {"title": "培训课程录屏放到内网，方便异地同事回看",
     "body": ("总部的培训大多在线下进行，外地分公司和远程办公的同事基本参加不了。"
              "建议所有内部培训都录屏，按主题整理到内网上，附上课件和常见问题。"
              "新人入职时也可以直接拿来自学。"),
     "tags": ["training", "remote-work"], "lang": "zh", "popularity": 6, "controversy": 0.05},
    {"title": "Rotate meeting note-taking duty",
     "body": "The same two people always end up taking notes. A simple rotation would be fairer.",
     "tags": ["meetings"], "lang": "en", "popularity": 2, "controversy": 0.15},
    {"title": "晚上九点以后不发工作消息",
     "body": ("很多同事反映晚上十点还在群里收到工作安排，不回又怕被认为不积极。"
              "建议公司明确倡导：晚上九点以后和周末，非紧急事项不发工作消息，实在要发可以用定时发送。"
              "这件事**管理层带头执行**才有用。"),
     "tags": ["wellbeing", "remote-work"], "lang": "zh", "popularity": 8, "controversy": 0.4},
    {"title": "Peer mentoring circles for new managers",
     "body": ("Most of our managers were promoted from great individual contributors and left to figure it out. "
              "Small circles of four or five new managers meeting monthly with an experienced facilitator "
              "would give them a safe place to ask questions."),
     "tags": ["training"], "lang": "en", "popularity": 4, "controversy": 0.1},
    {"title": "每个需求都先写清楚“为什么要做”再排期",
     "body": ("产品排期会上经常出现这种情况：需求写得很细，但没人说得清它到底要解决什么问题。"
              "建议需求模板里加一栏“要解决的问题和预期效果”，写不清楚的需求暂不排期。"
              "上线之后也方便回头验证效果。"),
     "tags": ["product", "process"], "lang": "zh", "popularity": 5, "controversy": 0.2},
    {"title": "Kill the weekly status report",
     "body": ("We spend Friday afternoons writing status reports that mostly restate what's in the tracker. "
              "If the tracker is up to date, leaders can read it directly. "
              "Let's keep a short written note only for **blockers and risks**."),
     "tags": ["process"], "lang": "en", "popularity": 6, "controversy": 0.35},
    {"title": "客户投诉必须在24小时内回电",
     "body": ("现在客户投诉的平均首次响应时间超过两天，很多小问题就这样拖成了大问题。"
              "建议规定所有投诉在 24 小时内由专人回电，哪怕一时解决不了，也要先告诉客户我们正在处理、大概什么时候给答复。"),
     "tags": ["customers", "quality"], "lang": "zh", "popularity": 7, "controversy": 0.15},
    {"title": "Show the carbon footprint on every travel request",
     "body": ("People don't know that one return flight can equal months of commuting emissions. "
              "Showing an estimated CO2 figure next to each travel request, and a train option where one exists, "
              "would nudge better choices without banning anything."),
     "tags": ["sustainability", "data"], "lang": "en", "popularity": 2, "controversy": 0.3},
    {"title": "Translate key internal docs into Chinese",
     "body": ("A large share of our colleagues work mainly in Chinese, but policies, onboarding guides and tool docs "
              "are English only. Translating the **top 20 most-read pages** would help a lot, "
              "and we have plenty of bilingual volunteers."),
     "tags": ["training", "process"], "lang": "en", "popularity": 6, "controversy": 0.15},
    {"title": "办公用品领用改为线上申请",
     "body": "领一支笔、一个本子还得去行政那里填纸质单子。建议改成线上申请，行政每周集中发放一次。",
     "tags": ["tools", "cost"], "lang": "zh", "popularity": 0, "controversy": 0.2},
    {"title": "Gamify code review turnaround with a leaderboard",
     "body": "Put a leaderboard on the office TV ranking who reviews pull requests fastest.",
     "tags": ["quality", "tools"], "lang": "en", "popularity": 0, "controversy": 0.55},
    {"title": "大促期间销售和运营联合排班",
     "body": ("每次大促，销售那边订单已经签下来了，运营这边人手却还没排够，发货总是延迟。"
              "建议大促前两周由销售和运营一起排班，根据销售预测提前安排仓储和客服人力。"),
     "tags": ["sales", "process"], "lang": "zh", "popularity": 4, "controversy": 0.15},
    {"title": "Monthly open office hours with the executive team",
     "body": ("Leadership feels far away from the frontline. One hour a month where any employee can drop in "
              "and ask an executive anything, in person or by video, would close that gap."),
     "tags": ["meetings"], "lang": "en", "popularity": 5, "controversy": 0.2},
    {"title": "项目立项时就指定上线负责人",
     "body": ("很多项目直到上线前一周才发现没人对整体上线负责，市场、销售、客服都在等通知。"
              "建议立项时就明确一位上线负责人，从第一天起负责协调各部门的准备工作；"
              "如果上线延期，也由他来公开说明原因。"),
     "tags": ["launches", "process"], "lang": "zh", "popularity": 6, "controversy": 0.1},
]

COMMENTS: Dict[str, List[Tuple[str, str]]] = {
    "en": [
        ("for", "We tried something similar in Sales last year and it cut handoff time in half."),
        ("for", "Strong yes from me. This would save my team hours every week."),
        ("for", "Love this. It's low cost and we could start next month."),
        ("for", "This has been a pain point for as long as I've been here. Fully support."),
        ("for", "+1. Our customers have been asking for exactly this."),
        ("for", "Great idea, and it's the kind of thing new hires would notice on day one."),
        ("for", "Support this. I'd be happy to help pilot it in Operations."),
        ("for", "Finally someone wrote this down. Let's make it happen."),
        ("for", "Makes a lot of sense. The cost of doing nothing is already higher than people think."),
        ("for", "Yes, please. Happy to share the spreadsheet I use to work around this today."),
        ("for", "Fully agree. Let's just make sure there's a named owner so it doesn't stall."),
        ("for", "This would make cross-team work so much smoother."),
        ("for", "We did this at my previous company and nobody wanted to go back."),
        ("for", "Upvoted. Simple, practical, and easy to measure."),
        ("for", "I'd add a quick survey after three months, but otherwise this is great."),
        ("against", "I like the intent, but I worry this adds another layer of process on top of what we already have."),
        ("against", "Not convinced. Every team works differently, and a one-size-fits-all rule could backfire."),
        ("against", "We tried this two years ago and it quietly died after a quarter. What would be different this time?"),
        ("against", "Sounds good on paper, but our current tools can't support it without real investment."),
        ("against", "I'm worried about the extra workload for frontline staff. Who picks up the slack?"),
        ("against", "Feels like this treats the symptom rather than the cause."),
        ("against", "With budgets this tight, I'm not sure this should be a priority right now."),
        ("against", "From a customer's point of view this might actually slow us down."),
        ("neutral", "Do we have any numbers on how often this actually happens?"),
        ("neutral", "Interesting. Has anyone checked how other companies handle this?"),
        ("neutral", "Could we run this as a small pilot first and measure the impact?"),
        ("neutral", "Who would own this long-term: one department or a rotating group?"),
        ("neutral", "There's a similar idea from last quarter; might be worth merging the discussions."),
        ("neutral", "How would this work for colleagues in other time zones?"),
        ("neutral", "Curious what Finance thinks about the cost side of this."),
    ],
    "zh": [
        ("for", "非常支持，这个问题我们组也遇到过很多次。"),
        ("for", "好主意！成本不高，应该很快就能见效。"),
        ("for", "赞成。去年我们在华南区试过类似的做法，效果挺好。"),
        ("for", "这个早就该做了，希望这次能真正落地。"),
        ("for", "支持，建议把具体的牵头人也定下来，不然很容易不了了之。"),
        ("for", "完全同意，一线同事对这个感受最深。"),
        ("for", "支持！可以先在我们部门试点，我愿意帮忙整理数据。"),
        ("for", "这个想法很实在，不需要额外预算就能推进。"),
        ("for", "同意，客户那边也多次提过类似的反馈。"),
        ("for", "赞同，新同事应该会特别受益。"),
        ("for", "我们组私下已经这么做了半年，确实省了不少时间。"),
        ("for", "投一票。建议再补充一下怎么衡量效果。"),
        ("for", "非常认同，这样能少很多部门之间的扯皮。"),
        ("for", "好建议，希望管理层能认真看看。"),
        ("for", "支持。其实实施难度不大，关键是得有人牵头。"),
        ("against", "我担心这会增加一线同事的工作量，能否先在一个小组试点？"),
        ("against", "想法不错，但现有系统恐怕支持不了，改造成本可能比想象的高。"),
        ("against", "不太赞同。每个部门情况不一样，一刀切未必合适。"),
        ("against", "之前试过类似的做法，坚持了两个月就没人管了。"),
        ("against", "这样会不会让流程变得更长？我们现在已经够慢了。"),
        ("against", "我觉得问题的根源不在这里，这么做只是治标不治本。"),
        ("against", "现在预算这么紧，这件事的优先级可能还不够高。"),
        ("against", "对销售来说反而不方便，客户那边可等不了。"),
        ("neutral", "能不能补充一些数据？比如现在每个月大概有多少类似情况。"),
        ("neutral", "有没有其他公司这么做的案例可以参考？"),
        ("neutral", "方向是对的，但具体细节还得和相关部门再对一下。"),
        ("neutral", "想了解一下，如果试点效果不好，有没有退出机制？"),
        ("neutral", "这个是不是需要 IT 先评估一下可行性？"),
        ("neutral", "上季度好像有一条类似的建议，可以考虑合并讨论。"),
        ("neutral", "有点好奇外地团队怎么参与，能展开说说吗？"),
    ],
}

REPLIES: Dict[str, List[str]] = {
    "en": [
        "Good point — do you have numbers on that?",
        "Thanks, that's a fair concern. A pilot would help us find out.",
        "Agreed. Happy to volunteer my team for the first round.",
        "I hadn't thought about that angle. I'll update the proposal.",
        "We have some data from last quarter; I'll share it here.",
        "That's exactly why I suggested starting small.",
        "Fair, but I'd argue the status quo is costing us more.",
        "+1 to this.",
        "Let's take this offline and bring a concrete proposal back here.",
        "I checked with IT and it's doable with what we already have.",
        "Good call on the owner. Maybe People & Culture could host it?",
        "Yes, merging makes sense. I'll link the other idea.",
        "Time zones are a real issue; async updates could cover it.",
        "Totally agree, well said.",
        "Not sure I follow. Could you give an example?",
    ],
    "zh": [
        "同意，试点范围可以先定在华东区。",
        "好问题，我整理一下数据再回复你。",
        "谢谢补充，这一点我之前没考虑到。",
        "可以先小范围试一个月，再看效果。",
        "这个顾虑有道理，我们可以先做个简单的评估。",
        "已经和 IT 聊过了，技术上问题不大。",
        "有案例，同行去年就开始做了，回头我把链接发给你。",
        "赞同，牵头人可以由各部门轮流担任。",
        "工作量确实要考虑，可以先从自愿报名开始。",
        "哈哈，看来大家都被这个问题困扰过。",
        "我这边有一些数据，下周例会上分享。",
        "合并讨论没问题，我去联系一下原作者。",
        "不完全同意，但你说的风险确实存在。",
        "好的，我把这条意见也补充到正文里。",
        "+1，希望这次能有人拍板。",
    ],
}

# Leadership answers for the demo's decided ideas, by language and decision.
RATIONALES: Dict[str, Dict[str, List[str]]] = {
    "en": {
        "accepted": [
            "We will pilot this with two teams next quarter and publish the results here. Thank you to everyone who argued for and against it — the concerns about workload shaped the pilot.",
            "Accepted. The cost is small, the support is broad across departments, and the risks raised in the discussion have clear mitigations. Operations owns the rollout.",
        ],
        "declined": [
            "Declined for now: the budget for this year is committed and the savings estimate did not hold up when Finance checked it. We will revisit it in the next planning cycle.",
            "We are not doing this: the legal review found contract obligations that make it impossible this year. The underlying problem is real, and we opened a follow-up on it.",
        ],
        "needs_info": [
            "We need numbers before deciding: how many hours a week does this cost each team today? Please add them in the discussion and we will decide within two weeks.",
        ],
        "in_progress": [
            "Work has started: the project team is staffed and the first milestone is at the end of next month.",
        ],
        "done": [
            "Done and live for every team since last Monday. What changed: requests now take one form instead of three; in the first week the average wait fell from 6 days to 2. Thank you to the colleagues who proposed and improved it.",
        ],
    },
    "zh": {
        "accepted": [
            "采纳。下个季度先在两个团队试点，结果会在这里公布。感谢大家正反两方面的讨论，关于工作量的担心已经写进试点方案。",
            "采纳。投入不大，各部门支持面广，讨论中提到的风险都有明确的应对办法，由运营部牵头落地。",
        ],
        "declined": [
            "暂不采纳：今年的预算已经全部落实，财务核算后节省金额也达不到预期。下一轮规划时会重新评估。",
            "这次不做：法务评估发现现有合同条款限制了今年的调整。问题本身确实存在，我们已另外立项跟进。",
        ],
        "needs_info": [
            "决定之前需要补充数据：目前每个团队每周在这件事上花多少小时？请在讨论区补充，两周内给出答复。",
        ],
        "in_progress": [
            "已经启动：项目组人员已到位，第一个里程碑在下个月底。",
        ],
        "done": [
            "已完成，上周一起全员可用。变化：申请从三张表合并成一张；第一周平均等待时间从 6 天降到 2 天。感谢提出和完善这个想法的同事们。",
        ],
    },
}

# Leadership asks an idea's author for more information, and the author answers on the idea
# (the idea goes back under review): (leader's question, author's answer) per language.
INFO_EXCHANGES: Dict[str, tuple] = {
    "en": ("Before we decide we need two things: which teams would try this first, and what "
           "would they stop doing to make room for it? Please answer here on the idea.",
           "Two teams have volunteered: Customer Support and Billing. For the three months of "
           "the trial both would pause their monthly status report, which frees about four "
           "hours a week each. Both team leads have agreed, and they will post what they "
           "learn here."),
    "zh": ("决定之前需要先了解两件事：哪些团队会先试行？为了腾出时间，他们准备暂停哪些工作？"
           "请直接在这个想法下回复。",
           "已有两个团队报名：客服组和结算组。试行的三个月里，两个团队都会暂停月度状态报告，"
           "每周各能腾出大约四小时。两位组长都已同意，并会在这里分享试行中的收获。"),
}

# The acceptance scenes from the source text, as demo campaigns.
SCENES: Dict[str, dict] = {
    "consultation": {
        "owner": "zhou.jianguo",
        "title": "Who should be our next marketing director? / 谁来担任新任市场总监？",
        "description": "Our marketing director retires in March. Before the board decides, we want to hear from everyone: nominate a colleague, argue for or against, and vote. The board will publish its decision and reasons here.\n\n市场总监明年三月退休。董事会做决定之前，想先听听大家的意见：可以提名同事，说明支持或反对的理由，并投票。最终决定和理由会在这里公布。",
        "options": [
            ("Maria Garcia", "Led the relaunch of our customer newsletter and doubled its open rate; trusted by Sales."),
            ("王芳", "负责华东区市场三年，渠道合作做得扎实，和产品团队配合默契。"),
            ("Daniel Okafor", "Brings data discipline from the analytics team; would professionalise campaign measurement."),
        ],
    },
    # a consultation that has ended: its outcome names the chosen option (scene 1's results)
    "decided_consultation": {
        "owner": "zhou.jianguo",
        "title": "Where should the 2027 all-hands offsite be? / 2027 年全员大会在哪里办？",
        "description": "Three venues made the shortlist. Nominate others, argue, vote: the board books the one most of you want.\n\n三个场地进入了候选名单。欢迎补充提名、发表意见并投票：董事会将预订大家最想去的那一个。",
        "options": [
            ("Hangzhou, West Lake / 杭州西湖", "Two hours by train for most offices; the hotel has one hall for all 600 of us."),
            ("苏州工业园区", "离上海和南京都近，会场大，价格比去年便宜两成。"),
            ("Qiandao Lake resort", "Beautiful, but the last hour is by coach and rooms are split over three hotels."),
        ],
        "outcome": "Hangzhou won clearly: most supporters, fewest objections, and the only venue where everyone fits in one hall. We have booked it for 14–15 May 2027.\n\n杭州以明显优势胜出：支持最多、反对最少，而且是唯一能让所有人在同一个会场的地方。已预订 2027 年 5 月 14–15 日。",
    },
    "forum": {
        "owner": "leader",
        "title": "Why are our product launches always late? / 为什么产品发布总是延期？",
        "description": "Four of our last five launches slipped by more than a month. I want the real causes, not the polite ones, and your fixes. The best-supported answers go to the leadership review queue, and I will answer each of them in public.\n\n最近五次发布有四次延期超过一个月。请说出真正的原因和你的解决办法。支持最多的建议会进入管理层评审，我会逐条公开答复。",
        "tags": ["launches", "process", "quality"],
    },
    "discussion": {
        "owner": "zhou.jianguo",
        "title": "Executive pay and the top team's strengths and weaknesses / 高管薪酬与管理团队的长处和短板",
        "description": "The board asks for your honest view of how executives are paid and what the top team does well and badly. Everything here is anonymous.\n\n董事会希望听到大家对高管薪酬、以及管理团队做得好和做得不好的地方的真实看法。这里的发言全部匿名。",
        "posts": [
            ("Bonuses should follow customer outcomes, not revenue alone", "Executive bonuses reward quarterly revenue, which pushes discounting at quarter end. Tie a share of them to retention and customer satisfaction."),
            ("管理层决策快，但解释太少", "管理团队的长处是决策快、敢担责；短板是很少解释为什么这样决定，一线同事常常要从客户那里才听到消息。"),
            ("Publish the pay ratio", "Publish the ratio between executive and median pay every year. We do not need names, just the trend."),
        ],
    },
}

PLAN_SCENE: dict = {
    "owner": "leader",
    "title": "Sales East 2027 business plan — your critique / 华东销售 2027 年经营计划评审",
    "description": "The Sales East team's plan for 2027, section by section. Rate each section and say what you would change: every level's view counts.\n\n华东销售团队 2027 年计划，按章节评审。请给每一章打分并提出修改意见，每个层级的意见都同样重要。",
    "document": """# Sales East 2027 business plan

Our goal is to grow revenue in the East region by 18 % while keeping churn under 5 %.

## Targets
Revenue +18 %, 40 new enterprise accounts, churn below 5 %. 目标：收入增长 18%，新增 40 家企业客户。

## Channels
Shift a third of the field budget to partners in Jiangsu and Zhejiang; open a telesales desk for small accounts.

## Hiring
Hire 6 account executives in Q1 and 4 in Q3; onboarding by the new buddy programme.

## Risks
Price pressure from two competitors; dependence on three large customers (28 % of revenue).
""",
    "critiques": [
        ("concern", "en", "18 % growth with only 6 hires in Q1 looks optimistic: last year's new hires took 7 months to reach quota.", {0: 2, 1: 4, 2: 2}),
        ("support", "zh", "渠道下沉到江浙的伙伴是对的，我们在苏州试过，三个月就有效果。", {0: 4, 1: 4, 2: 3}),
        ("alternative", "en", "Instead of a telesales desk, let customer success own small-account renewals; they already talk to them monthly.", {0: 4, 1: 3, 2: 4}),
        ("concern", "zh", "三家大客户占 28% 的收入，风险章节应该写出具体的应对方案，而不只是列出来。", {0: 3, 1: 4, 2: 1}),
    ],
}

# --- collective wisdom (issue 16) ---------------------------------------------------------
# Two stories for the Common ground list. Ideas one department pushes as a bloc: its members
# support them and, on the later ones, colleagues elsewhere object; the first, backed by that
# department alone with no objection, ranks well on Top but low on Common ground. And ideas
# a few people in every department back, with some objections spread around: lower on Top,
# near the top of Common ground.
BLOC_DEPARTMENT = "Sales"
BLOC_IDEAS: List[dict] = [
    {"title": "Pay sales commission monthly instead of quarterly",
     "body": ("Waiting three months for commission makes planning hard for everyone on the sales team. "
              "Paying it monthly would take Finance one extra run a month and would keep the team motivated "
              "through long deals."),
     "tags": ["sales", "cost"], "lang": "en"},
    {"title": "销售团队优先使用大会议室接待客户",
     "body": ("客户来访时经常订不到大会议室，只能在小房间里挤着开会，很影响公司形象。"
              "建议销售部接待客户时可以优先预订三楼的大会议室，其他部门的内部会议顺延或改到小会议室。"),
     "tags": ["sales", "customers", "meetings"], "lang": "zh"},
    {"title": "Business class for sales trips longer than four hours",
     "body": ("Sales colleagues often fly overnight and go straight into a customer meeting. "
              "Business class on flights over four hours would mean they arrive rested and close better deals."),
     "tags": ["sales", "cost"], "lang": "en"},
]
BROAD_IDEAS: List[dict] = [
    {"title": "Write down every meeting's decisions in one shared log",
     "body": ("Half of our follow-up questions are \"what did we decide?\". A shared decision log, one line per "
              "decision with the owner and the date, would save every department time, and newcomers could "
              "read why things are the way they are."),
     "tags": ["meetings", "process"], "lang": "en"},
    {"title": "每季度一天跨部门轮岗体验",
     "body": ("很多摩擦来自不了解别的部门在忙什么。建议每个季度安排一天，自愿报名去另一个部门跟岗："
              "研发去听客服电话，销售去看仓库发货，财务去参加产品评审。一天的投入换来长期的相互理解。"),
     "tags": ["training", "process"], "lang": "zh"},
]

# A campaign compared two at a time ("Which would help more?"), with choices under way.
# Each option's `appeal` is the hidden strength the demo's colleagues choose by.
PAIRWISE_SCENE: dict = {
    "owner": "leader",
    "title": "Which would help new colleagues most in their first month? / 哪项措施最能帮新同事顺利度过第一个月？",
    "description": ("We will fund the two ideas that come out on top. Compare them two at a time, or add your own.\n\n"
                    "我们会落实排名最靠前的两项。请两两比较，也欢迎补充你的想法。"),
    "options": [
        ("A buddy from another department for the first month",
         "Someone outside your own team to have lunch with and ask the questions you would not ask your manager.", 1.2),
        ("新员工第一周不排任何会议，专心熟悉产品",
         "第一周只安排产品体验和文档阅读，不参加例会，避免一上来就被会议淹没。", 0.2),
        ("A one-page map of who to ask for what",
         "IT, expenses, holidays, building access, payroll: one page with a name and a channel for each.", 1.6),
        ("入职当天电脑、账号、门禁全部准备好",
         "现在新同事经常要等两三天才能拿到电脑和系统权限，第一天就能开始工作才是最好的欢迎。", 2.0),
        ("Shadow a customer call in week two",
         "Hearing a real customer early explains more about our products than any training deck.", 0.6),
        ("每月一次新同事午餐会，管理层参加",
         "让新同事直接和管理层聊聊公司方向，也把自己的第一印象和建议说出来。", 0.0),
        ("A recorded welcome tour of our systems",
         "Short videos of the tools we use every day, so nobody has to ask for the same demo twice.", 0.9),
        ("第一个月结束时做一次双向反馈",
         "新同事给团队和入职流程打分，团队也给新同事反馈，问题在第一个月就能发现。", 0.4),
    ],
}

# Funding rounds, teams and delivery (issue 14): one closed round whose funded ideas are in
# progress or delivered, one open round; both languages.
FUNDING: dict = {
    "closed": {
        "title": "Autumn improvement fund · 秋季改进基金",
        "purpose": (
            "Money and time for the improvements colleagues believe in most. Every employee had "
            "100 points; ideas with at least five backers shared the pool in proportion to their "
            "points.\n\n"
            "把钱和时间投给大家最看好的改进。每位员工有 100 积分，获得至少五位同事资助的想法按积分比例分配资金池。"),
        "owner": "zhou.jianguo", "pool": 300_000, "people_weeks": 24, "rule": "proportional",
        "entries": [
            ("A public status page for customers", 60_000, 4,
             "Status page live for the three biggest products"),
            ("建内部知识库，把群聊里的经验沉淀下来", 45_000, 6, "知识库上线，首批 50 篇经验文档"),
            ("Self-service data access, with a short training course", 35_000, 3,
             "First 30 colleagues trained and querying on their own"),
            ("统一数据看板口径，别再各部门各算各的", 80_000, 8, "三个核心指标统一口径并上线"),
            ("A company-wide bug bash before every major release", 30_000, 2,
             "First company-wide bug bash run before the spring release"),
            ("正式上线前增加一轮真实客户灰度测试", 90_000, 10, "灰度测试流程文档和首批 20 家客户名单"),
        ],
    },
    "open": {
        "title": "Q1 fund for everyday work · 一季度日常工作基金",
        "purpose": (
            "Small things that make everyday work better. Spread your 100 points over "
            "colleagues' ideas before the close; broad support counts for more than a few big "
            "backers (quadratic matching).\n\n"
            "让日常工作更顺手的小改进。截止前把你的 100 积分分给同事的想法；采用二次方匹配，支持的人越广，分量越重。"),
        "owner": "leader", "pool": 200_000, "people_weeks": 0, "rule": "quadratic",
        "entries": [
            ("Home office equipment stipend", 80_000, 0, "Stipend policy published and first claims paid"),
            ("办公室装直饮水机，取消桶装水", 30_000, 0, "三层办公区装好直饮水机"),
            ("Bike-to-work scheme and secure bike storage", 40_000, 0,
             "Secure storage for 40 bikes at the main office"),
            ("培训课程录屏放到内网，方便异地同事回看", 20_000, 0, "首批 10 门课程录屏上线"),
            ("Peer mentoring circles for new managers", 15_000, 0, "Two mentoring circles running"),
            ("员工体检增加心理咨询额度", 70_000, 0, "与心理咨询机构签约并开放预约"),
        ],
    },
    "milestones": {
        "en": ["Agree the scope with the first team", "Pilot with real users", "Roll out to everyone"],
        "zh": ["和第一个团队确认范围", "真实用户试点", "全员推广"],
    },
    "updates": {
        "en": [
            "Kick-off done: scope agreed with Support and Product. We spent the first part of the "
            "budget on the hosting plan.",
            "Pilot running with 12 colleagues. Two issues found and fixed; next step is the "
            "roll-out plan.",
        ],
        "zh": [
            "启动会已开，和相关团队确认了范围。第一笔预算用于采购平台服务。",
            "试点进行中，12 位同事参与，发现并修复了两个问题。下一步制定推广计划。",
        ],
    },
    "outcome": {
        "en": ("Delivered. What changed: the status page is live for all three products and "
               "linked from every support reply. What we measured: \"is it down?\" tickets fell "
               "from 140 to 35 a month in the first six weeks."),
        "zh": ("已交付。变化：知识库已上线，群聊里的高频问题都整理成了文档。衡量结果：上线六周内，"
               "新人重复提问减少约 60%，共沉淀 86 篇经验文档。"),
    },
    "pledges": [
        ("python,data", "I can help with the data pipeline.", "我可以帮忙做数据处理。"),
        ("design,writing", "Happy to design the pages and write the copy.", "可以负责页面设计和文案。"),
        ("testing", "I will run the pilot tests with my team.", "我和团队可以负责试点测试。"),
    ],
}


# --- challenges to decisions (issue 15): one per scene, in the idea's own language -----------
CHALLENGES: Dict[str, Dict[str, Dict[str, str]]] = {
    "overturned": {
        "en": {
            "evidence": "Since this was declined, our team ran it for four weeks on our own: hand-overs dropped from about 40 to 15 minutes and nobody wants to go back. The rationale worried about the cost, but we used only tools the company already pays for, and Finance has checked the numbers with us.",
            "answer": "The four-week pilot answers the cost concern in the original decision: it needs no new licences and saves time every day. We accept the idea and will roll it out to two more teams next quarter, with the pilot team leading.",
        },
        "zh": {
            "evidence": "这个想法被拒绝后，我们组自己试行了四周：交接时间从大约40分钟缩短到15分钟，大家都不想再回到原来的做法。原决定担心成本，但我们只用了公司已经付费的工具，财务也和我们一起核对过数据。",
            "answer": "四周的试点回答了原决定对成本的顾虑：不需要新增软件许可，而且每天都能节省时间。我们决定采纳，下个季度推广到另外两个团队，由试点团队牵头。",
        },
    },
    "open": {
        "en": {"evidence": "The decision assumed we would need new software, but Purchasing renewed our current contract last month and it already includes this feature at no extra cost. My team has used it for two weeks and saves about three hours a week. Please look again."},
        "zh": {"evidence": "原决定认为需要采购新软件，但采购部上个月刚续签了现有合同，里面已经包含这项功能，不用额外付费。我们组已经用了两周，每周大约能节省三个小时。希望管理层重新评估。"},
    },
    "expired": {
        "en": {"evidence": "I think this deserves another look: several other sites already work this way and seem happy with it, and we should not fall behind them."},
        "zh": {"evidence": "我觉得这个决定值得再考虑一下：其他几家分公司已经这样做了，反馈不错，我们不应该落在后面。"},
    },
}
