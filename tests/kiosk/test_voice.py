"""Screen text → what espeak-ng is asked to say: pinyin with tones, numbers as people say them, no personal data."""
from __future__ import annotations

import struct
from xml.etree import ElementTree

import pytest

from kiosk.voice import Segment, cardinal_zh, scrub, utterance, words
from kiosk.voice_synth import WavCache, fix_stream_header, wav_info


def zh(text: str) -> str:
    """The pinyin of every Chinese segment, joined (pauses and English left out)."""
    return " ".join(s.text for s in utterance(text).segments if s.kind == "zh")


def test_chinese_becomes_pinyin_with_tone_digits_and_neutral_tone_five():
    assert zh("请刷身份证") == "qing3 shua1 shen1 fen4 zheng4"
    assert zh("办什么事") == "ban4 shen2 me5 shi4"


def test_polyphones_are_read_from_phrases_and_our_place_names():
    assert zh("银行") == "yin2 hang2"            # pypinyin's phrase dictionary
    assert zh("行李") == "xing2 li3"
    assert zh("定海区长岛便民服务站") == "ding4 hai3 qu1 chang2 dao3 bian4 min2 fu2 wu4 zhan4"   # not zhang3
    assert zh("按期还款") == "an4 qi1 huan2 kuan3"


def test_umlaut_u_is_written_the_way_the_pinyin_voice_reads_it():
    assert zh("绿色") == "lv4 se4"


@pytest.mark.parametrize("number, said", [
    (0, "ling2"), (7, "qi1"), (10, "shi2"), (12, "shi2 er4"), (20, "er4 shi2"), (105, "yi1 bai3 ling2 wu3"),
    (110, "yi1 bai3 yi1 shi2"), (1005, "yi1 qian1 ling2 wu3"), (10001, "yi1 wan4 ling2 yi1"),
    (20300, "er4 wan4 ling2 san1 bai3"), (100000, "shi2 wan4"), (100000000, "yi1 yi4"),
])
def test_cardinals(number, said):
    assert " ".join(cardinal_zh(number)) == said


def test_counts_and_amounts_are_numbers_years_and_codes_are_digits():
    assert zh("10个工作日") == "shi2 ge4 gong1 zuo4 ri4"
    assert zh("2个") == "liang3 ge4"
    assert zh("1-3个工作日") == "yi1 zhi4 san1 ge4 gong1 zuo4 ri4"
    assert zh("收费：￥12.50") == "shou1 fei4 shi2 er4 dian3 wu3 ling2 yuan2"
    assert zh("补贴12000元") == "bu3 tie1 yi1 wan4 er4 qian1 yuan2"
    assert zh("2024年") == "er4 ling2 er4 si4 nian2"
    assert zh("2024-05-01") == "er4 ling2 er4 si4 nian2 wu3 yue4 yi1 ri4"
    assert zh("9:30") == "jiu3 dian3 san1 shi2 fen1"
    assert zh("50%") == "bai3 fen1 zhi1 wu3 shi2"


def test_receipt_and_phone_numbers_are_read_digit_by_digit_with_yao_for_one():
    utt = utterance("回执号 DH001-20261125-0017")
    assert Segment("en", "D H") in utt.segments                      # letters spelled by the English voice
    assert zh("DH001-20261125-0017") == "ling2 ling2 yao1 er4 ling2 er4 liu4 yao1 yao1 er4 wu3 ling2 ling2 yao1 qi1"
    assert zh("拨打 0580-12345") == "bo1 da3 ling2 wu3 ba1 ling2 yao1 er4 san1 si4 wu3"


def test_punctuation_pauses_and_symbols_say_nothing():
    utt = utterance("‹ 返回 ⌂ 首页。★★★☆☆ 满意")
    assert [s.kind for s in utt.segments] == ["zh", "pause", "zh", "pause", "zh"]
    assert utt.segments[2].text == "shou3 ye4"
    assert "★" not in utt.ssml() and "‹" not in utt.ssml()
    assert utterance("✓ ★ ⌂ →").empty


def test_english_text_goes_to_the_english_voice_and_chinese_data_inside_it_to_mandarin():
    utt = utterance("Apply for a 社保卡 here. Don't move the card", "en")
    assert [s.kind for s in utt.segments] == ["en", "zh", "en", "pause", "en"]
    assert utt.segments[1].text == "she4 bao3 ka3"
    assert utt.segments[-1].text == "Don't move the card"
    assert "0 5 8 0" in " ".join(words(utterance("Call 0580-12345", "en")))
    assert utterance("2024-05-01", "en").segments == (Segment("en", "May 1, 2024"),)


def test_ssml_is_well_formed_with_one_pinyin_voice_per_chinese_run():
    for text, language in (("请点 <确认> & OK", "en"), ("Tom's <b>card</b> & 社保卡", "en"), ("回执号 DH001", "zh")):
        ElementTree.fromstring(utterance(text, language).ssml())
    mixed = utterance("回执号 DH001").ssml()
    # espeak-ng falls back to plain `cmn` (tone digits read in English) after a switch unless every run says so
    assert mixed.count('<voice name="cmn-latn-pinyin">') == 2 and '<voice name="en-us">D H</voice>' in mixed


def test_personal_numbers_are_never_spoken_even_if_a_screen_passed_them():
    assert list(words(utterance("证件号 330902196803121232"))) == ["zheng4", "jian4", "hao4"]
    assert list(words(utterance("电话 13800000000。"))) == ["dian4", "hua4"]
    assert list(words(utterance("ID 33090219680312123X", "en"))) == ["I", "D"]
    assert scrub("请拨打 0580-12345") == "请拨打 0580-12345"     # the service centre's number is guidance


def test_the_cache_key_depends_on_what_is_said_and_how_fast():
    a, b = utterance("请刷身份证"), utterance("请刷身份证")
    assert a.key(150) == b.key(150) != a.key(120)
    assert a.key(150) != utterance("请扫码").key(150)


def _wav(frames: int, streamed: bool) -> bytes:
    pcm = b"\x01\x00" * frames
    size = 0x7FFFFFFF if streamed else len(pcm)
    return (b"RIFF" + struct.pack("<I", size + 36 if not streamed else size) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 22050, 44100, 2, 16)
            + b"data" + struct.pack("<I", size) + pcm)


def test_a_streamed_wav_header_gets_its_real_lengths():
    streamed = _wav(22050, streamed=True)
    fixed = fix_stream_header(streamed)
    assert fixed[44:] == streamed[44:]
    assert struct.unpack_from("<I", fixed, 4)[0] == len(fixed) - 8
    assert struct.unpack_from("<I", fixed, 40)[0] == 44100
    info = wav_info(fixed)
    assert (info.channels, info.rate, info.bits, info.frames) == (1, 22050, 16, 22050)
    assert info.duration_s == pytest.approx(1.0)
    assert wav_info(streamed).frames == 22050   # the oversized length is clipped to what is there
    with pytest.raises(ValueError):
        wav_info(b"not a wav file at all")


def test_the_wav_cache_is_bounded_and_keeps_the_recently_used():
    cache = WavCache(max_bytes=250)
    cache.put("a", b"x" * 100)
    cache.put("b", b"y" * 100)
    assert cache.get("a") is not None          # a is now the most recent
    cache.put("c", b"z" * 100)
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    cache.clear()
    assert len(cache) == 0
