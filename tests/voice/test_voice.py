import threading
import wave

import numpy as np
import pytest

from display.announcement import announcement_text, announcement_tokens, sentence_tokens
from display.make_clips import make_clips, vocabulary
from display.voice import RATE, Announcer, VoiceError, chime, has_sound_card, read_wav, render, speak
from motcua.config.schema import AnnouncerConfig

SENTENCE = "Mời công dân có số A mười hai đến quầy số ba"


def wav_info(path):
    with wave.open(str(path), "rb") as w:
        return w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()


def write_tone(path, seconds, rate=RATE, channels=1, width=2, freq=440.0):
    """A test clip in any WAV format; returns its samples at full scale 1.0."""
    t = np.arange(round(seconds * rate)) / rate
    tone = 0.5 * np.sin(2 * np.pi * freq * t)
    frames = np.repeat(tone[:, None], channels, axis=1).ravel()
    if width == 1:
        raw = np.round(frames * 127 + 128).astype(np.uint8).tobytes()
    elif width == 2:
        raw = np.round(frames * 32767).astype("<i2").tobytes()
    else:
        ints = np.round(frames * (2**23 - 1)).astype("<i4")
        raw = b"".join(int(v).to_bytes(3, "little", signed=True) for v in ints)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(raw)
    return tone


def test_espeak_sentence_wav(tmp_path):
    cfg = AnnouncerConfig(output="wav", wav_dir=tmp_path, chime=False)
    path = speak(SENTENCE, [], cfg, wav_name="sentence.wav")
    channels, width, rate, frames = wav_info(path)
    assert (channels, width, rate) == (1, 2, RATE)
    assert 2.5 <= frames / rate <= 8.0
    assert np.abs(read_wav(path).astype(np.int32)).max() > 3000  # speech, not silence


def test_espeak_chime_first_and_repeat(tmp_path):
    one = speak(SENTENCE, [], AnnouncerConfig(output="wav", wav_dir=tmp_path, chime=False), wav_name="1.wav")
    two = speak(SENTENCE, [], AnnouncerConfig(output="wav", wav_dir=tmp_path, repeat=2), wav_name="2.wav")
    speech, full = read_wav(one), read_wav(two)
    ding = chime()
    assert np.array_equal(full[: len(ding)], ding)
    assert np.array_equal(full[len(ding): len(ding) + len(speech)], speech)
    assert np.array_equal(full[-len(speech):], speech)
    assert len(full) == len(ding) + 2 * len(speech) + round(0.6 * RATE)


def test_clips_concatenate_in_any_format(tmp_path):
    clips = tmp_path / "clips"
    clips.mkdir()
    same = write_tone(clips / "moi_cong_dan_co_so.wav", 0.30)
    write_tone(clips / "letter_A.wav", 0.20, rate=44100, channels=2)
    write_tone(clips / "muoi.wav", 0.10, rate=11025, width=1)
    write_tone(clips / "hai.wav", 0.15, width=3)
    write_tone(clips / "den_quay_so.wav", 0.25, rate=16000)
    write_tone(clips / "ba.wav", 0.05)
    cfg = AnnouncerConfig(output="wav", wav_dir=tmp_path / "out", clips_dir=clips)
    tokens = announcement_tokens("A012", "3", cfg)
    path = speak(announcement_text("A012", "3", cfg), tokens, cfg, wav_name="call.wav")
    out = read_wav(path)
    ding = chime()
    assert np.array_equal(out[: len(ding)], ding)  # generated chime first: the clip set has none
    expected = len(ding) + round(RATE * (0.30 + 0.20 + 0.10 + 0.15 + 0.25 + 0.05))
    assert abs(len(out) - expected) <= 4
    first = out[len(ding): len(ding) + len(same)]
    assert np.array_equal(first, np.round(same * 32767).astype(np.int16))
    # the stereo 44.1 kHz clip, resampled, still carries the 440 Hz tone
    second = out[len(ding) + len(same): len(ding) + len(same) + round(0.2 * RATE)].astype(float)
    spectrum = np.abs(np.fft.rfft(second))
    assert abs(np.argmax(spectrum) * RATE / len(second) - 440) < 10


def test_espeak_clip_set_playback(tmp_path):
    clips = tmp_path / "clips"
    made = make_clips(clips)
    assert {p.stem for p in made} == {"chime", *vocabulary(AnnouncerConfig().template)}
    cfg = AnnouncerConfig(output="wav", wav_dir=tmp_path / "out", clips_dir=clips, repeat=2)
    tokens = announcement_tokens("B105", "7", cfg)
    out = read_wav(speak(announcement_text("B105", "7", cfg), tokens, cfg, wav_name="x.wav"))
    pieces = [read_wav(clips / f"{t}.wav") if t != "pause" else np.zeros(round(0.6 * RATE), np.int16)
              for t in tokens]
    assert len(out) == sum(len(p) for p in pieces)
    assert np.array_equal(out, np.concatenate(pieces))
    assert 2.0 <= len(out) / RATE <= 14.0


def test_missing_clip_falls_back_to_espeak(tmp_path):
    clips = tmp_path / "clips"
    make_clips(clips)
    (clips / "letter_Q.wav").unlink()
    cfg = AnnouncerConfig(output="wav", wav_dir=tmp_path, clips_dir=clips, chime=False)
    text = announcement_text("Q001", "1", cfg)
    out = read_wav(speak(text, announcement_tokens("Q001", "1", cfg), cfg))
    no_clips = AnnouncerConfig(output="wav", wav_dir=tmp_path, chime=False)
    assert np.array_equal(out, render(text, [], no_clips))


def spoken(folder, cfg):
    """(file name, number, counter) of each WAV, checking each holds exactly its own call."""
    out = []
    for path in sorted(folder.glob("*.wav")):
        _seq, number, counter = path.stem.split("-")
        counter = counter[1:]
        assert np.array_equal(read_wav(path), render(announcement_text(number, counter, cfg), [], cfg))
        out.append((path.name, number, counter))
    return out


def test_announcer_speaks_every_call_in_order(tmp_path):
    cfg = AnnouncerConfig(output="wav", wav_dir=tmp_path, chime=False)
    statuses = []
    announcer = Announcer(cfg, on_status=lambda state, detail: statuses.append((state, detail)))
    announcer.announce({"number": "A012", "counter": "3", "counter_name": "Quầy 3", "recall": False})
    announcer.announce({"number": "B007", "counter": "5", "counter_name": "Quầy 5", "recall": False})
    announcer.announce({"number": "A012", "counter": "3", "counter_name": "Quầy 3", "recall": True})
    announcer.join()
    assert [name for name, *_ in spoken(tmp_path, cfg)] == [
        "00001-A012-q3.wav", "00002-B007-q5.wav", "00003-A012-q3.wav",
    ]
    assert statuses == [("online", "")]
    announcer.stop(timeout=60)


def test_announcer_two_counters_calling_at_once(tmp_path):
    cfg = AnnouncerConfig(output="wav", wav_dir=tmp_path, chime=False)
    announcer = Announcer(cfg)
    barrier = threading.Barrier(2)

    def call_from_counter(number, counter):
        barrier.wait()
        announcer.announce({"number": number, "counter": counter})

    threads = [threading.Thread(target=call_from_counter, args=a) for a in (("A001", "1"), ("B001", "2"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    announcer.stop(timeout=60)
    calls = spoken(tmp_path, cfg)
    assert [name[:6] for name, *_ in calls] == ["00001-", "00002-"]
    assert sorted((n, c) for _, n, c in calls) == [("A001", "1"), ("B001", "2")]


def test_announcer_survives_a_bad_call_and_continues_numbering(tmp_path):
    cfg = AnnouncerConfig(output="wav", wav_dir=tmp_path, chime=False)
    (tmp_path / "00041-A001-q1.wav").write_bytes(b"")  # spoken by an earlier run
    announcer = Announcer(cfg)
    announcer.announce({"number": "", "counter": "1"})
    announcer.announce({"number": "C003", "counter": "2"})
    announcer.stop(timeout=60)
    assert sorted(p.name for p in tmp_path.glob("*.wav")) == ["00041-A001-q1.wav", "00043-C003-q2.wav"]


@pytest.mark.skipif(has_sound_card(), reason="this machine has a sound card: aplay would play")
def test_playback_failure_reports_degraded(tmp_path):
    cfg = AnnouncerConfig(output="aplay", chime=False)
    with pytest.raises(VoiceError):
        speak(SENTENCE, [], cfg)
    statuses = []
    announcer = Announcer(cfg, on_status=lambda state, detail: statuses.append((state, detail)))
    announcer.announce({"number": "A001", "counter": "1"})
    announcer.announce({"number": "A002", "counter": "1"})
    announcer.stop(timeout=60)
    assert statuses == [("degraded", "playback_failed")]


def test_sentence_tokens_cover_every_clip_needed():
    needed = set(sentence_tokens("HT1234", "19", AnnouncerConfig(dialect="south")))
    assert needed <= set(vocabulary(AnnouncerConfig().template))
