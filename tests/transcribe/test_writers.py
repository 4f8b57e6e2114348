"""Output formats: the JSON validates, subtitles are well-formed, readable text shows turns."""

from __future__ import annotations

import copy
import json
import re

import pytest

from journeytape.transcribe.transcript import Speaker, load_transcript, validate
from journeytape.transcribe.writers import srt_time, to_srt, vtt_time, write_outputs

SRT_TIME = r"\d{2}:\d{2}:\d{2},\d{3}"
VTT_TIME = r"\d{2}:\d{2}:\d{2}\.\d{3}"


def _seconds(stamp: str) -> float:
    h, m, s = stamp.replace(",", ".").split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def _with_speakers(t):
    """The real transcript with alternating speakers, as diarization would leave it."""
    t = copy.deepcopy(t)
    ids = ["SPEAKER_00", "SPEAKER_00", "SPEAKER_01"]
    for seg, spk in zip(t.segments, ids, strict=True):
        seg.speaker = spk
        for w in seg.words:
            w.speaker = spk
    t.speakers = [
        Speaker("SPEAKER_00", "Interviewer", "interviewer", "user", 1.0, 7.0),
        Speaker("SPEAKER_01", "Respondent", "respondent", "user", 1.0, 4.0),
    ]
    return t


def check_srt(text: str) -> list[tuple[float, float]]:
    blocks = text.strip().split("\n\n")
    times = []
    for i, block in enumerate(blocks, 1):
        lines = block.split("\n")
        assert lines[0] == str(i)
        m = re.fullmatch(f"({SRT_TIME}) --> ({SRT_TIME})", lines[1])
        assert m, lines[1]
        assert len(lines) >= 3 and all(line.strip() for line in lines[2:])
        times.append((_seconds(m.group(1)), _seconds(m.group(2))))
    return times


def check_vtt(text: str) -> list[tuple[float, float]]:
    assert text.startswith("WEBVTT\n\n")
    times = []
    for block in text.strip().split("\n\n")[1:]:
        lines = block.split("\n")
        m = re.fullmatch(f"({VTT_TIME}) --> ({VTT_TIME})", lines[0])
        assert m, lines[0]
        assert len(lines) >= 2
        times.append((_seconds(m.group(1)), _seconds(m.group(2))))
    return times


def check_times(times, duration):
    last = 0.0
    for start, end in times:
        assert last - 1e-6 <= start < end <= duration + 0.5
        last = end


def test_all_formats_without_speakers(en_transcript, tmp_path):
    base = tmp_path / "sub" / "interview"
    paths = write_outputs(en_transcript, base, ["json", "txt", "md", "srt", "vtt", "rttm"])
    names = sorted(p.name for p in paths)
    assert names == sorted(
        f"interview{s}" for s in (".transcript.json", ".txt", ".md", ".srt", ".vtt")
    )  # no rttm without speakers
    assert paths[-1].name.endswith(".transcript.json")  # JSON last: it marks completion
    assert not list(tmp_path.rglob("*.part"))

    t = load_transcript(base.with_name("interview.transcript.json"))  # validates the schema
    assert t.text == en_transcript.text
    raw = json.loads(base.with_name("interview.transcript.json").read_text())
    assert list(raw)[:2] == ["kind", "schema_version"]
    validate(raw)

    dur = en_transcript.recording.duration
    check_times(check_srt(base.with_name("interview.srt").read_text()), dur)
    check_times(check_vtt(base.with_name("interview.vtt").read_text()), dur)
    txt = base.with_name("interview.txt").read_text()
    assert re.match(r"\[00:00:0\d\] Last week", txt)
    md = base.with_name("interview.md").read_text()
    assert md.startswith("# en.wav\n") and "language en" in md


def test_turns_by_speaker_label(en_transcript, tmp_path):
    t = _with_speakers(en_transcript)
    base = tmp_path / "talk"
    paths = write_outputs(t, base, ["json", "txt", "md", "srt", "vtt", "rttm"])
    assert base.with_name("talk.rttm") in paths

    txt = base.with_name("talk.txt").read_text().strip().split("\n\n")
    # two segments of the interviewer form one turn, then the respondent
    assert len(txt) == 2
    assert re.match(r"Interviewer \[00:00:00\]: Last week .+\. The ticket", txt[0])
    assert re.match(r"Respondent \[00:00:\d\d\]: Next time", txt[1])
    md = base.with_name("talk.md").read_text()
    assert "**Interviewer** [00:00:00]:" in md and "**Respondent**" in md

    vtt = base.with_name("talk.vtt").read_text()
    assert "<v Interviewer>" in vtt and "<v Respondent>" in vtt
    check_vtt(vtt)
    srt = base.with_name("talk.srt").read_text()
    assert "Interviewer: " in srt
    check_srt(srt)

    lines = base.with_name("talk.rttm").read_text().strip().split("\n")
    assert len(lines) == 2
    for line, spk in zip(lines, ["SPEAKER_00", "SPEAKER_01"], strict=True):
        f = line.split()
        assert len(f) == 10 and f[0] == "SPEAKER" and f[1] == "en" and f[7] == spk
        assert float(f[3]) >= 0 and float(f[4]) > 0

    # a renamed speaker (what `journeytape speakers` does) shows up in every readable file
    t.speakers[1].label = "Anna"
    write_outputs(t, base, ["json", "txt", "vtt"])
    assert "Anna [00:00:" in base.with_name("talk.txt").read_text()
    assert "<v Anna>" in base.with_name("talk.vtt").read_text()
    assert (
        load_transcript(base.with_name("talk.transcript.json")).speaker_label("SPEAKER_01")
        == "Anna"
    )


def test_long_segments_become_several_short_cues(en_transcript):
    t = copy.deepcopy(en_transcript)
    first, *rest = t.segments
    for seg in rest:  # one long segment of all words
        first.words += seg.words
        first.text += " " + seg.text
        first.end = seg.end
    t.segments = [first]
    times = check_srt(to_srt(t))
    assert len(times) >= 2
    for block in to_srt(t).strip().split("\n\n"):
        lines = block.split("\n")[2:]
        assert len(lines) <= 2 and all(len(line) <= 50 for line in lines)


def test_srt_lines_stay_within_42_characters_with_speaker_names(en_transcript):
    """docs/transcribe.md: cues of at most 2x42 characters; the "Label: " prefix counts (a line
    of 43 was shipped when it did not)."""
    t = _with_speakers(en_transcript)
    for seg in t.segments:  # long turns, so cues are cut
        seg.text = (seg.text + " ") * 4
        seg.words = seg.words * 4
    for name in ("Respondent", "A rather long speaker name"):
        t.speakers[1].label = name
        srt = to_srt(t)
        check_srt(srt)
        for block in srt.strip().split("\n\n"):
            lines = block.split("\n")[2:]
            assert len(lines) <= 2 and all(len(line) <= 42 for line in lines), lines


STAMPS = [
    (0, "00:00:00,000", "00:00:00.000"),
    (3661.2349, "01:01:01,235", "01:01:01.235"),
    (59.9996, "00:01:00,000", "00:01:00.000"),
]


@pytest.mark.parametrize(("t", "srt", "vtt"), STAMPS)
def test_timestamp_formats(t, srt, vtt):
    assert srt_time(t) == srt and vtt_time(t) == vtt


def test_unknown_format_is_refused(en_transcript, tmp_path):
    from journeytape.transcribe.writers import write_outputs as w

    with pytest.raises(ValueError, match="unknown output format"):
        w(en_transcript, tmp_path / "x", ["docx"])
