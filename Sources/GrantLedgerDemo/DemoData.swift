internal import GrantWorkflow

/// The fixed tables the demo draws from: provinces and their units, disciplines with their NSSF
/// codes, research topics and journals, Chinese names, titles and texts.
///
/// Units are real universities and academies, named only to make the data look familiar; every
/// person, project and number in the demo is invented.
enum DemoData {
    /// A province (or municipality) and the responsible units in it.
    struct Province {
        /// The id used in the store (`BJ`, `SH` …).
        var id: String
        /// 北京市, 上海市 …
        var name: String
        /// Whether its units may hold western projects (西部项目).
        var western: Bool
        /// County-level GB/T 2260 codes for the first six digits of ID numbers and credit codes.
        var regionCodes: [String]
        /// Its units, their weights (how many projects they hold, relatively) and e-mail domains.
        var units: [(name: String, weight: Int, domain: String)]
    }

    static let provinces: [Province] = [
        Province(
            id: "BJ", name: "北京市", western: false, regionCodes: ["110101", "110102", "110105", "110108"],
            units: [
                ("北京大学", 6, "pku.edu.cn"), ("清华大学", 4, "tsinghua.edu.cn"), ("中国人民大学", 6, "ruc.edu.cn"),
                ("北京师范大学", 5, "bnu.edu.cn"), ("中央民族大学", 2, "muc.edu.cn"),
                ("中国政法大学", 3, "cupl.edu.cn"), ("首都师范大学", 2, "cnu.edu.cn"),
            ]),
        Province(
            id: "SH", name: "上海市", western: false, regionCodes: ["310101", "310104", "310110", "310115"],
            units: [
                ("复旦大学", 5, "fudan.edu.cn"), ("上海交通大学", 3, "sjtu.edu.cn"), ("华东师范大学", 5, "ecnu.edu.cn"),
                ("上海社会科学院", 3, "sass.org.cn"), ("上海财经大学", 2, "sufe.edu.cn"),
            ]),
        Province(
            id: "GD", name: "广东省", western: false, regionCodes: ["440103", "440104", "440106", "440305"],
            units: [
                ("中山大学", 5, "sysu.edu.cn"), ("暨南大学", 3, "jnu.edu.cn"), ("华南师范大学", 3, "scnu.edu.cn"),
                ("深圳大学", 2, "szu.edu.cn"), ("广东省社会科学院", 2, "gdass.gd.cn"),
            ]),
        Province(
            id: "JS", name: "江苏省", western: false, regionCodes: ["320102", "320104", "320106", "320505"],
            units: [
                ("南京大学", 5, "nju.edu.cn"), ("东南大学", 2, "seu.edu.cn"), ("南京师范大学", 4, "njnu.edu.cn"),
                ("苏州大学", 3, "suda.edu.cn"), ("江苏省社会科学院", 2, "jsass.org.cn"),
            ]),
        Province(
            id: "ZJ", name: "浙江省", western: false, regionCodes: ["330102", "330106", "330108"],
            units: [
                ("浙江大学", 5, "zju.edu.cn"), ("浙江师范大学", 2, "zjnu.edu.cn"), ("浙江工商大学", 2, "zjgsu.edu.cn"),
                ("浙江省社会科学院", 2, "zjss.org.cn"),
            ]),
        Province(
            id: "HB", name: "湖北省", western: false, regionCodes: ["420102", "420106", "420111"],
            units: [
                ("武汉大学", 5, "whu.edu.cn"), ("华中师范大学", 4, "ccnu.edu.cn"), ("中南财经政法大学", 3, "zuel.edu.cn"),
                ("华中科技大学", 2, "hust.edu.cn"),
            ]),
        Province(
            id: "SC", name: "四川省", western: true, regionCodes: ["510104", "510107", "510108"],
            units: [
                ("四川大学", 5, "scu.edu.cn"), ("西南财经大学", 3, "swufe.edu.cn"), ("四川师范大学", 2, "sicnu.edu.cn"),
                ("西南民族大学", 2, "swun.edu.cn"),
            ]),
        Province(
            id: "SN", name: "陕西省", western: true, regionCodes: ["610103", "610113", "610116"],
            units: [
                ("陕西师范大学", 4, "snnu.edu.cn"), ("西北大学", 3, "nwu.edu.cn"), ("西安交通大学", 3, "xjtu.edu.cn"),
                ("西北政法大学", 2, "nwupl.edu.cn"),
            ]),
        Province(
            id: "YN", name: "云南省", western: true, regionCodes: ["530102", "530103", "530111"],
            units: [("云南大学", 3, "ynu.edu.cn"), ("云南师范大学", 2, "ynnu.edu.cn"), ("云南民族大学", 2, "ynni.edu.cn")]),
        Province(
            id: "GS", name: "甘肃省", western: true, regionCodes: ["620102", "620103"],
            units: [("兰州大学", 3, "lzu.edu.cn"), ("西北师范大学", 2, "nwnu.edu.cn"), ("西北民族大学", 1, "xbmu.edu.cn")]),
    ]

    /// A discipline of the NSSF guide (学科分类) with its two-letter code in project numbers.
    struct Discipline {
        /// The code in project numbers: `ZX` in 24BZX001.
        var code: String
        /// 哲学, 法学 …
        var name: String
        /// Whether titles take the humanities patterns (文献整理, 历史演进) or the social-science ones.
        var humanities: Bool
        /// Research topics that titles are made of.
        var topics: [String]
        /// Journals for interim outputs.
        var journals: [String]
        /// Closeout keywords.
        var keywords: [String]
    }

    static let disciplines: [Discipline] = [
        Discipline(
            code: "KS", name: "马列·科社", humanities: false,
            topics: [
                "马克思主义中国化时代化", "科学社会主义基本原则", "马克思主义经典著作文本", "中国式现代化理论体系", "共同富裕的理论逻辑",
                "人类命运共同体思想",
            ], journals: ["马克思主义研究", "科学社会主义", "中国社会科学"], keywords: ["马克思主义", "中国化", "现代化", "社会主义", "理论创新"]),
        Discipline(
            code: "DJ", name: "党史·党建", humanities: false,
            topics: ["中国共产党百年奋斗历史经验", "新时代党的自我革命", "基层党组织建设", "党的创新理论传播", "延安时期党的建设", "全面从严治党制度体系"],
            journals: ["中共党史研究", "党建研究", "马克思主义与现实"], keywords: ["党史", "党建", "自我革命", "基层组织", "制度建设"]),
        Discipline(
            code: "ZX", name: "哲学", humanities: true,
            topics: ["宋明理学", "先秦儒家伦理思想", "现象学与中国哲学", "人工智能伦理", "中国传统美学范畴", "马克思主义哲学中国化", "科学哲学与技术哲学", "汉传佛教哲学"],
            journals: ["哲学研究", "中国哲学史", "道德与文明"], keywords: ["儒学", "伦理", "理学", "现象学", "美学", "技术哲学"]),
        Discipline(
            code: "JL", name: "理论经济", humanities: false,
            topics: ["中国特色社会主义政治经济学", "新质生产力形成机制", "数字经济与收入分配", "中国经济思想史", "全国统一大市场建设", "马克思主义经济学方法论"],
            journals: ["经济研究", "政治经济学评论", "中国社会科学"], keywords: ["政治经济学", "新质生产力", "收入分配", "数字经济", "市场"]),
        Discipline(
            code: "JY", name: "应用经济", humanities: false,
            topics: ["区域协调发展", "乡村振兴与农民增收", "绿色金融与碳减排", "数字普惠金融", "产业链供应链韧性", "地方政府债务风险", "跨境电商高质量发展"],
            journals: ["经济研究", "管理世界", "金融研究"], keywords: ["区域经济", "乡村振兴", "绿色金融", "产业链", "债务风险"]),
        Discipline(
            code: "TJ", name: "统计学", humanities: false,
            topics: ["大数据统计方法", "国民经济核算", "贝叶斯统计推断", "统计监测指标体系", "高维数据分析"],
            journals: ["统计研究", "数理统计与管理", "经济研究"], keywords: ["统计方法", "国民经济核算", "大数据", "指标体系"]),
        Discipline(
            code: "ZZ", name: "政治学", humanities: false,
            topics: ["基层治理现代化", "全过程人民民主", "数字政府建设", "比较政治制度", "国家治理效能评估", "政治传播"],
            journals: ["政治学研究", "中国行政管理", "中国社会科学"], keywords: ["国家治理", "基层治理", "民主", "数字政府", "制度"]),
        Discipline(
            code: "FX", name: "法学", humanities: false,
            topics: ["民法典实施", "数据产权制度", "涉外法治体系", "环境法典编纂", "刑事诉讼制度改革", "行政复议制度", "知识产权保护"],
            journals: ["法学研究", "中国法学", "中外法学"], keywords: ["民法典", "数据产权", "涉外法治", "环境法", "诉讼制度"]),
        Discipline(
            code: "SH", name: "社会学", humanities: false,
            topics: ["人口老龄化与养老服务", "城乡社区治理", "青年就业与社会流动", "数字社会与平台劳动", "家庭结构变迁", "社会心理服务体系"],
            journals: ["社会学研究", "社会", "中国社会科学"], keywords: ["养老服务", "社区治理", "社会流动", "平台劳动", "家庭"]),
        Discipline(
            code: "RK", name: "人口学", humanities: false,
            topics: ["低生育率与人口均衡发展", "流动人口市民化", "人口老龄化的经济社会影响", "生育支持政策"],
            journals: ["人口研究", "中国人口科学", "人口与经济"], keywords: ["生育率", "人口流动", "老龄化", "生育支持"]),
        Discipline(
            code: "MZ", name: "民族学", humanities: false,
            topics: ["中华民族共同体意识", "民族地区乡村振兴", "边疆治理", "各民族交往交流交融", "少数民族非物质文化遗产保护"],
            journals: ["民族研究", "中央民族大学学报", "广西民族研究"], keywords: ["中华民族共同体", "民族地区", "边疆治理", "非遗保护"]),
        Discipline(
            code: "GJ", name: "国际问题研究", humanities: false,
            topics: ["全球治理体系变革", "中美战略竞争", "“一带一路”高质量发展", "周边外交", "国际秩序演变", "全球发展倡议"],
            journals: ["世界经济与政治", "国际问题研究", "外交评论"], keywords: ["全球治理", "一带一路", "周边外交", "国际秩序"]),
        Discipline(
            code: "ZS", name: "中国历史", humanities: true,
            topics: ["清代边疆治理", "宋代社会经济史", "明清江南市镇", "敦煌吐鲁番文书", "近代中外关系史", "中国古代官制", "秦汉简牍"],
            journals: ["历史研究", "中国史研究", "近代史研究"], keywords: ["清史", "宋史", "简牍", "敦煌学", "社会经济史"]),
        Discipline(
            code: "SS", name: "世界历史", humanities: true,
            topics: ["古代地中海文明", "近代早期欧洲社会", "拉美国家现代化进程", "冷战史", "日本近代史", "非洲殖民史"],
            journals: ["世界历史", "史学理论研究", "历史研究"], keywords: ["世界史", "现代化", "冷战", "文明史"]),
        Discipline(
            code: "KG", name: "考古学", humanities: true,
            topics: ["新石器时代聚落形态", "商周青铜器", "汉唐城址", "丝绸之路沿线遗址", "中华文明探源"],
            journals: ["考古学报", "考古", "文物"], keywords: ["聚落考古", "青铜器", "城址", "丝绸之路", "文明探源"]),
        Discipline(
            code: "ZJ", name: "宗教学", humanities: true,
            topics: ["宗教中国化", "道教经典文献", "佛教中国化历史经验", "宗教与社会治理"],
            journals: ["世界宗教研究", "宗教学研究", "中国宗教"], keywords: ["宗教中国化", "道教", "佛教", "社会治理"]),
        Discipline(
            code: "ZW", name: "中国文学", humanities: true,
            topics: ["唐宋诗词", "明清小说", "中国现当代文学", "中国古典文论", "新时代文学", "网络文学", "少数民族文学"],
            journals: ["文学评论", "文学遗产", "中国现代文学研究丛刊"], keywords: ["唐诗", "宋词", "小说", "文论", "现当代文学"]),
        Discipline(
            code: "WW", name: "外国文学", humanities: true,
            topics: ["英美现代主义文学", "俄罗斯文学", "中外文学交流史", "世界文学经典汉译", "非洲英语文学"],
            journals: ["外国文学评论", "外国文学研究", "当代外国文学"], keywords: ["现代主义", "俄罗斯文学", "文学交流", "翻译"]),
        Discipline(
            code: "YY", name: "语言学", humanities: true,
            topics: ["汉语方言", "汉语史", "语言资源保护", "国际中文教育", "计算语言学", "少数民族语言"],
            journals: ["中国语文", "语言研究", "方言"], keywords: ["方言", "汉语史", "语言资源", "中文教育", "语料库"]),
        Discipline(
            code: "XW", name: "新闻学与传播学", humanities: false,
            topics: ["国际传播能力建设", "网络舆论生态治理", "主流媒体融合发展", "算法推荐与信息茧房", "中国新闻传播史"],
            journals: ["新闻与传播研究", "国际新闻界", "现代传播"], keywords: ["国际传播", "舆论", "媒体融合", "算法"]),
        Discipline(
            code: "TQ", name: "图书馆·情报与文献学", humanities: false,
            topics: ["古籍数字化", "科技情报与数据治理", "公共文化服务体系", "学术评价"],
            journals: ["中国图书馆学报", "情报学报", "图书情报工作"], keywords: ["古籍", "数据治理", "公共文化", "学术评价"]),
        Discipline(
            code: "TY", name: "体育学", humanities: false,
            topics: ["全民健身公共服务", "青少年体育", "体育强国建设", "竞技体育治理"],
            journals: ["体育科学", "上海体育学院学报", "北京体育大学学报"], keywords: ["全民健身", "青少年体育", "体育治理"]),
        Discipline(
            code: "GL", name: "管理学", humanities: false,
            topics: ["国家创新体系", "应急管理体系", "公共服务供给", "平台企业治理", "高质量发展评价", "数字化转型"],
            journals: ["管理世界", "中国管理科学", "公共管理学报"], keywords: ["创新体系", "应急管理", "公共服务", "数字化转型"]),
    ]

    /// Title patterns: `%` stands for the topic.
    static let humanitiesTitles = ["%研究", "%文献整理与研究", "%的历史演进研究", "%比较研究", "%综合研究", "新发现%资料整理与研究"]
    static let socialTitles = [
        "%研究", "%的理论逻辑与实践路径研究", "%的机制与对策研究", "%的测度与评价研究", "中国式现代化进程中的%研究", "新时代%研究",
    ]
    static let majorTitles = ["%重大问题研究", "%综合研究", "%的理论体系与实践创新研究"]

    /// Common surnames with their pinyin (for e-mail addresses).
    static let surnames: [(String, String)] = [
        ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("黄", "huang"),
        ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
        ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"),
        ("谢", "xie"), ("宋", "song"), ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"),
        ("曹", "cao"), ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("袁", "yuan"),
        ("潘", "pan"), ("于", "yu"), ("蒋", "jiang"), ("蔡", "cai"), ("余", "yu"), ("杜", "du"), ("叶", "ye"), ("程", "cheng"),
        ("苏", "su"), ("魏", "wei"), ("吕", "lv"), ("丁", "ding"), ("任", "ren"), ("沈", "shen"), ("姚", "yao"), ("卢", "lu"),
        ("姜", "jiang"), ("崔", "cui"), ("钟", "zhong"), ("谭", "tan"), ("陆", "lu"), ("汪", "wang"), ("范", "fan"),
        ("金", "jin"), ("石", "shi"), ("廖", "liao"), ("贾", "jia"), ("夏", "xia"), ("韦", "wei"), ("付", "fu"), ("方", "fang"),
        ("白", "bai"), ("邹", "zou"), ("孟", "meng"), ("熊", "xiong"), ("秦", "qin"), ("邱", "qiu"), ("江", "jiang"),
        ("尹", "yin"), ("薛", "xue"), ("段", "duan"), ("雷", "lei"), ("侯", "hou"), ("龙", "long"), ("史", "shi"),
        ("陶", "tao"), ("黎", "li"), ("贺", "he"), ("顾", "gu"), ("毛", "mao"), ("郝", "hao"), ("龚", "gong"), ("邵", "shao"),
        ("万", "wan"), ("钱", "qian"), ("严", "yan"), ("覃", "qin"), ("武", "wu"), ("戴", "dai"), ("莫", "mo"), ("孔", "kong"),
        ("向", "xiang"), ("汤", "tang"),
    ]

    static let maleGiven: [String] = Array("伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林峰建国志文海东晨阳博远毅振兴德").map(String.init)
    static let femaleGiven: [String] = Array("芳娜敏静丽艳娟霞燕玲婷雪慧颖洁莉琳晶倩琴云红梅兰萍蕾薇欣怡佳悦雯璐瑶岚婧晓春秋思").map(String.init)

    static let memberRoles = ["子课题负责人", "主要成员", "成员", "成员", "成员"]
    static let contributions = [
        "负责子课题一的研究与撰写", "承担资料收集与整理", "负责问卷设计与数据分析", "参与田野调查与访谈", "撰写研究报告第三章", "参与书稿统稿与校对",
    ]
    static let degrees: [(String, Int)] = [("博士", 85), ("硕士", 12), ("学士", 3)]

    static let extensionReasons = [
        "田野调查受客观条件影响推迟，需补充调研", "核心档案资料获取周期较长，需进一步查阅", "研究内容拓展，需增加案例分析", "项目负责人承担重要行政任务，研究进度受到影响",
    ]
    static let leaderChangeReasons = ["原负责人调离原单位，由课题组核心成员接任", "原负责人因健康原因无法继续主持研究", "原负责人出国访学一年，经课题组协商更换负责人"]
    /// Why the office ends a project itself (R-PRJ-5 rev. 2): 终止 (terminated) and 撤项 (withdrawn).
    static let officeTerminationReasons = ["经年度检查，研究工作长期停滞且经督促仍无进展，予以终止", "项目负责人已无法继续开展研究，经责任单位核实予以终止"]
    static let officeWithdrawalReasons = ["项目负责人长期联系不上，经责任单位核实予以撤项", "经核查，项目存在严重学术不端行为，予以撤项"]
    static let unitChangeReasons = ["项目负责人工作调动，随人转移项目管理单位", "项目负责人调入新单位，原单位同意转出"]
    static let terminationReasons = ["研究条件发生重大变化，无法按计划完成", "核心资料无法获取，研究难以继续", "项目负责人健康原因，经单位同意自行终止"]
    static let withdrawalReasons = ["项目负责人长期出国，无法履行项目管理职责", "研究进展严重滞后且无合理说明", "存在学术不端问题，经核查撤销项目"]
    static let returnOpinions = ["请补充研究进展的具体说明后重新提交", "附件材料不全，请补充单位意见", "请按要求修改申请理由"]
    static let rejectOpinions = ["申请理由不充分，不予同意", "不符合变更条件，不予同意"]
    static let notAcceptOpinions = ["申请材料不符合受理要求，不予受理", "该事项不属于本级受理范围，不予受理"]
    static let approveOpinions = ["同意", "同意，请按计划推进研究", "情况属实，同意", "经审核，同意"]
    static let appraisalComments: [Grade: [String]] = [
        .excellent: ["成果创新性突出，资料翔实，论证严密，具有重要学术价值", "研究视角新颖，结论可靠，建议优先出版"],
        .good: ["成果完成了预期研究目标，资料较为丰富，论证较充分", "研究方法得当，部分章节可进一步深化"],
        .pass: ["成果基本达到预期目标，但理论深度有待提高", "资料收集较全面，分析略显薄弱"],
        .fail: ["成果与申请书承诺差距较大，论证不充分", "主要结论缺乏资料支撑，需做较大修改"],
    ]
    static let avoidReasons = ["学术观点分歧", "存在利益冲突", "曾有合作关系"]

    /// Credit codes of a few partner institutions for external allocations (外拨经费).
    static let partnerUnits = ["中国社会科学院文学研究所", "中国社会科学院历史研究所", "国家图书馆", "中国国家博物馆", "国务院发展研究中心"]

    /// Days off in 2025 (Spring Festival, Qingming, Labour Day, Dragon Boat, National Day).
    static let holidays2025: Set<String> = [
        "2025-01-01", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-03", "2025-02-04", "2025-04-04",
        "2025-05-01", "2025-05-02", "2025-05-05", "2025-06-02", "2025-10-01", "2025-10-02", "2025-10-03", "2025-10-06",
        "2025-10-07", "2025-10-08",
    ]
}
