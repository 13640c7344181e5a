"""The seed's tactics (shared/seed/collector-account.zh.txt, textguard.md, rules.md §4) are caught, in plain
form and in the evasive forms collectors use; the listed hard negatives pass."""

from __future__ import annotations

import pytest

from arrears.textguard import default_guard

EXPOSURE = "threat_exposure"
VIOLENCE = "threat_violence"
DISCLOSURE = "third_party_disclosure"
FALSE_REP = "false_representation"
INSULT = "insult_abuse"
HARASS = "harassment"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # the seed account, quoted
        ("几个小时内必须还进来,否则就轰Z负债人的通讯录,挨个骚扰一遍", EXPOSURE),
        ("马上回电,不然通讯录上的好友挨个骂", EXPOSURE),
        ("此图只给你自己看,不要逼我们群发", EXPOSURE),
        ("嘿,欠钱不还,还有脸开直播呢!", EXPOSURE),
        # textguard.md
        ("不接电话就轰炸你通讯录", EXPOSURE),
        ("小心你家人", VIOLENCE),
        ("今晚上门堵你", VIOLENCE),
        ("we know where your kids go to school", VIOLENCE),
        ("请转告张三,他欠我司5000元已逾期", DISCLOSURE),
        ("你们做父母的必须替他还", DISCLOSURE),
        ("公安已立案,明天上门拘留", FALSE_REP),
        ("you will be arrested", FALSE_REP),
        ("你就是个骗子,不要脸", INSULT),
        ("我们会每小时打一次直到你还", HARASS),
        ("实在没钱就去XX平台借一笔先还我们", HARASS),
        # rules.md §4
        ("再不还就爆你通讯录", EXPOSURE),
        ("今晚不还就打给你所有联系人", EXPOSURE),
        ("不还钱就P图发到你朋友圈", EXPOSURE),
        ("你儿子欠钱你们做父母的要还", DISCLOSURE),
        ("法院传票明天就到,明天上门拘留", FALSE_REP),
        ("你这种人不得好死", INSULT),
        ("去别的平台借,以贷养贷也得先还我们", HARASS),
        ("We'll call everyone in your contacts", EXPOSURE),
        ("Bailiffs tomorrow, and there is an arrest warrant", FALSE_REP),
        ("Take a payday loan and pay us today", HARASS),
    ],
)
def test_listed_tactic_is_caught_with_its_category(text: str, category: str) -> None:
    report = default_guard().check(text)
    assert report.violation
    assert category in [c.value for c in report.categories]


@pytest.mark.parametrize(
    "text",
    [
        "不还就轰 炸 你 通 讯 录",  # inserted spaces
        "不还就轰.炸.你.通.讯.录",  # inserted symbols
        "不还就轰Z你通讯录",  # pinyin initial
        "再不还款就B你txl,说到做到。",  # initials only
        "不接电话就bao你通讯录,别说我没提醒。",  # typed pinyin syllable
        "tong xun lu 已经导出来了,今晚八点开始逐个通知",  # typed pinyin, spaced
        "不還錢就轟炸你通訊錄",  # traditional characters
        "不还钱就轰炸你ＴＸＬ",  # full-width letters
        "你的📒今晚就💣,别说没提醒",  # emoji
        "今天不还, 我们就 call 你 contacts 里的每一个人。",  # mixed languages
    ],
)
def test_evasive_contact_list_threat_is_still_exposure(text: str) -> None:
    report = default_guard().check(text)
    assert report.violation, text
    assert EXPOSURE in [c.value for c in report.categories]


@pytest.mark.parametrize(
    "text",
    [
        "我们不会联系您通讯录中的任何人",
        "我们不会联系您的通讯录",
        "we will never contact your employer",
        "您好,您在XX分期的借款已逾期15天,待还金额3200元,请于今日内登录APP还款。",
        "如未能按期还款,出借方可能依合同约定向有管辖权的人民法院提起诉讼。",
        "温馨提示:根据合同约定,逾期信息将报送征信,请尽快处理。",
        "如您还款有困难,我们可以为您申请分期或减免部分罚息。",
        "您好,我们有事需要与张三本人联系,麻烦您转告他回电,谢谢。",
        "好的,已为您登记还款计划,下次还款日为5月20日。",
        "您好!",
        "Your payment of $120 is 10 days overdue. Call us to set up a payment plan.",
        "借款逾期属于民事纠纷,不会因此坐牢。",
    ],
)
def test_compliant_text_passes(text: str) -> None:
    report = default_guard().check(text)
    assert not report.violation, (text, report.categories)
    assert report.score < 0.5
