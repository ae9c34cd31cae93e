"""智能问答: the seed knowledge base, the matcher on residents' own words, clarification, follow-ups, the live swap."""
import json
import sqlite3

import pytest

from kiosk.catalog import load_catalog
from kiosk.events import EventBus
from kiosk.qa import (SEED_FILE, Answer, Clarify, Context, Conversation, Detail, LiveKnowledge, NoAnswer, QaError,
                      Unanswered, load_seed, parse_kb)
from kiosk.qa_match import QaIndex
from qa_paraphrases import DEV, HELD_OUT, TUNING
from sync.bundles import BundleRefused, validate_qa
from sync.events import BundleApplied

CATALOG = SEED_FILE.parent / "catalog.json"
STRICT_MIN, LENIENT_MIN = 0.78, 0.92   # measured 50/60 = 0.83 and 58/60 = 0.97 when HELD_OUT was written


@pytest.fixture(scope="module")
def index():
    return QaIndex.build(load_seed())


def ask(conversation: Conversation, index: QaIndex, question: str):
    return conversation.record(question, index.reply(question, conversation.context())).reply


def test_the_seed_covers_the_common_services_with_real_catalog_items():
    kb, catalog = load_seed(), load_catalog(CATALOG)
    assert 40 <= len(kb.entries) <= 60
    linked = [e.item_id for e in kb.entries if e.item_id]
    assert len(linked) >= 40 and all(catalog.get(i) is not None for i in linked)
    assert len(kb.recommended_entries()) == len(kb.recommended) >= 6
    phones = {"0580-12345", "12329"}   # the catalog's numbers; the seed invents none
    for entry in kb.entries:
        for word in entry.answer.replace("，", " ").replace("。", " ").split():
            assert not any(ch.isdigit() for ch in word) or not word.startswith("0") or word in phones


def test_the_measured_paraphrases_are_none_of_the_knowledge_bases_own_phrasings():
    own = {q for e in load_seed().entries for q in (*e.questions, *(e.en.questions if e.en else ()))}
    assert not own & {q for q, _ in TUNING + DEV + HELD_OUT}
    ids = {e.id for e in load_seed().entries}
    assert all(want in ids for _, want in TUNING + DEV + HELD_OUT)


def accuracy(index, cases):
    strict = lenient = 0
    for question, want in cases:
        reply = index.reply(question)
        if isinstance(reply, Answer) and reply.entry.id == want:
            strict += 1
        if (isinstance(reply, Answer) and reply.entry.id == want) or \
                (isinstance(reply, Clarify) and want in [e.id for e in reply.choices]):
            lenient += 1
    return strict / len(cases), lenient / len(cases)


def test_held_out_paraphrases_are_answered_at_the_measured_accuracy(index):
    strict, lenient = accuracy(index, HELD_OUT)
    print(f"held-out: answered right {strict:.0%}, right or among the choices {lenient:.0%} of {len(HELD_OUT)}")
    assert strict >= STRICT_MIN and lenient >= LENIENT_MIN


def test_particles_width_and_punctuation_do_not_change_the_answer(index):
    for question in ("社保卡丢了", "社保卡丢了吗？", "社保卡　丢了啊！！", "请问，社保卡丢了呢"):
        reply = index.reply(question)
        assert isinstance(reply, Answer) and reply.entry.id == "sbk_lost", question


def test_a_homophone_typo_is_matched_through_pinyin(index):
    reply = index.reply("社宝卡丢了")
    assert isinstance(reply, Answer) and reply.entry.id == "sbk_lost"


def test_a_broad_question_asks_which_one_and_the_choice_answers_it(index):
    conversation = Conversation()
    reply = ask(conversation, index, "身份证")
    assert isinstance(reply, Clarify) and reply.broad.id == "sfz"
    assert [e.id for e in reply.choices] == ["sfz_renew", "sfz_lost", "sfz_first", "sfz_temp"]
    turn = conversation.choose("sfz_lost")
    assert isinstance(turn.reply, Answer) and turn.reply.entry.id == "sfz_lost"
    assert turn.question == "身份证丢了怎么补办？" and conversation.topic.id == "sfz_lost"
    assert conversation.choose("sfz_lost") is None    # nothing pending any more


def test_close_candidates_make_a_clarification_that_keeps_the_detail_asked(index):
    conversation = Conversation()
    reply = ask(conversation, index, "身份证要带什么材料")
    assert isinstance(reply, Clarify) and reply.detail is Detail.MATERIALS and 2 <= len(reply.choices) <= 4
    chosen = reply.choices[1]
    turn = conversation.choose(chosen.id, "en")
    assert turn.reply == Answer(chosen, Detail.MATERIALS) and turn.question == chosen.title_in("en")


def test_a_follow_up_answers_about_the_service_asked_before(index):
    conversation = Conversation()
    assert ask(conversation, index, "社保卡密码忘了怎么办").entry.id == "sbk_pwd"
    for question, detail in (("要带什么材料", Detail.MATERIALS), ("在哪里办？", Detail.WHERE),
                             ("要多久", Detail.TIME), ("收费吗", Detail.FEE)):
        reply = ask(conversation, index, question)
        assert reply == Answer(conversation.topic, detail, follow_up=True) and reply.entry.id == "sbk_pwd"
    assert ask(conversation, index, "残疾证在哪里办") == Answer(load_seed().get("cj_new"), Detail.WHERE)
    assert conversation.topic.id == "cj_new"          # a new service becomes the topic


def test_a_short_follow_up_leans_on_the_topic(index):
    conversation = Conversation()
    ask(conversation, index, "身份证到期了")
    reply = ask(conversation, index, "那丢了呢")
    assert isinstance(reply, Answer) and reply.entry.id == "sfz_lost"
    reply = ask(conversation, index, "身份证")                   # a broad question is asked back, topic or not
    assert isinstance(reply, Clarify) and reply.broad.id == "sfz"


def test_what_the_knowledge_base_does_not_know_is_said_so(index):
    assert index.reply("今天天气怎么样") == NoAnswer(Unanswered.UNKNOWN)
    assert index.reply("股票怎么买") == NoAnswer(Unanswered.UNKNOWN)
    assert index.reply("？？！") == NoAnswer(Unanswered.EMPTY)
    assert index.reply("你好") == NoAnswer(Unanswered.EMPTY)
    assert index.reply("要带什么材料") == NoAnswer(Unanswered.NEED_TOPIC)
    assert index.reply("x" * 5000) == NoAnswer(Unanswered.UNKNOWN)


def test_english_questions_match_and_english_answers_are_given(index):
    reply = index.reply("I lost my social security card")
    assert isinstance(reply, Answer) and reply.entry.id == "sbk_lost"
    assert reply.entry.answer_in("en").startswith("Report it lost first")
    assert reply.entry.answer_in("zh").startswith("先挂失")
    no_english = load_seed().get("kin_proof")
    assert no_english.answer_in("en") == no_english.answer       # the Chinese rather than nothing
    assert load_seed().get("sfz_renew").detail_in(Detail.WHERE, "en").startswith("A police station")


def test_the_conversation_is_wiped(index):
    conversation = Conversation()
    ask(conversation, index, "身份证")
    ask(conversation, index, "社保卡丢了")
    conversation.clear()
    assert conversation.turns == [] and conversation.topic is None and conversation.pending is None
    assert conversation.context() == Context()


# ---------------------------------------------------------------------------------------------- validation

def seed_data():
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


def broken(change):
    data = seed_data()
    change(data)
    return data


@pytest.mark.parametrize("change, reason", [
    (lambda d: d.update(entries=[]), "no entries"),
    (lambda d: d["entries"].append(dict(d["entries"][1])), "share an id"),
    (lambda d: d["entries"][0].update(choices=["sfz_renew", "nowhere"]), "not an entry"),
    (lambda d: d["entries"][0].update(choices=["sfz_renew"]), "single choice"),
    (lambda d: d.update(recommended=["nowhere"]), "recommended"),
    (lambda d: d["entries"][1].update(questions=["问" * 101]), "longer than 100"),
    (lambda d: d["entries"][1].update(answer=""), "answer is missing"),
    (lambda d: d["entries"][1].update(id="bad id!"), "no valid id"),
    (lambda d: d["entries"][1].update(en="yes"), "en is not an object"),
    (lambda d: d.update(synonyms=[["只有一个"]]), "synonyms"),
])
def test_a_bad_knowledge_base_is_refused_as_a_bundle(change, reason):
    with pytest.raises(BundleRefused) as refused:
        validate_qa(broken(change))
    assert str(refused.value).startswith("qa invalid") and reason in str(refused.value)


def test_unknown_keys_from_a_newer_hub_are_ignored():
    kb = parse_kb(broken(lambda d: (d.update(future=1), d["entries"][0].update(voice="x"))))
    assert len(kb.entries) == len(seed_data()["entries"])
    with pytest.raises(QaError):
        parse_kb([])


# ---------------------------------------------------------------------------------------------- live swap

class Stored:
    def __init__(self, payload=None):
        self.payload, self.fail = payload, False

    def __call__(self):
        if self.fail:
            raise sqlite3.OperationalError("database is locked")
        return self.payload


SMALL = {"version": "hub-2", "recommended": ["boats"], "entries": [
    {"id": "boats", "title": "船票在哪买？", "questions": ["船票在哪买", "买船票"], "answer": "在码头售票窗口买。"},
    {"id": "tides", "title": "潮汐表在哪看？", "questions": ["潮汐表", "今天几点涨潮"], "answer": "看码头公告栏。"}]}


def test_a_qa_bundle_replaces_the_seed_live_and_a_bad_one_keeps_what_is_in_force():
    stored = Stored()
    live, bus = LiveKnowledge(stored), EventBus()
    bus.subscribe(BundleApplied, live.on_bundle_applied)
    assert live.current.version == load_seed().version
    seed_index = live.index()
    assert live.index() is seed_index                          # built once per knowledge base
    stored.payload = json.dumps(SMALL, ensure_ascii=False)
    bus.publish(BundleApplied("policies", 3))                  # not ours
    assert live.current.version == load_seed().version
    bus.publish(BundleApplied("qa", 2))
    assert live.current.version == "hub-2" and live.index() is not seed_index
    assert live.index().reply("船票哪里买").entry.id == "boats"
    assert isinstance(live.index().reply("社保卡丢了"), NoAnswer)  # the seed is gone
    stored.fail = True
    bus.publish(BundleApplied("qa", 3))
    assert live.current.version == "hub-2"
    stored.fail, stored.payload = False, '{"entries": []}'      # a damaged install: kept what was in force
    bus.publish(BundleApplied("qa", 4))
    assert live.current.version == "hub-2"


def test_without_a_usable_seed_q_and_a_answers_nothing_rather_than_stopping_the_kiosk(tmp_path):
    missing = tmp_path / "qa.json"
    live = LiveKnowledge(Stored(), seed=lambda: load_seed(missing))
    assert live.current.entries == () and live.index().reply("社保卡丢了") == NoAnswer(Unanswered.UNKNOWN)
