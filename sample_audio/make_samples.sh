#!/usr/bin/env bash
# Regenerates the sample interviews in this folder from the scripts below, so that the words
# and the turn times are known exactly. Needs espeak-ng, sox and ffmpeg (Debian packages).
#
#   bash sample_audio/make_samples.sh
#
# Each interview is a list of turns "SPEAKER|espeak voice|text". Every turn is spoken to a
# 16 kHz mono WAV, followed by a fixed pause, and the turns are joined. The reference turn
# times are written as RTTM (<name>.ref.rttm) and the words as <name>.ref.txt; the audio is
# committed compressed the way a phone would record it (AAC .m4a, MP3, Opus).
set -euo pipefail
cd "$(dirname "$0")"
PAUSE=0.6   # seconds of silence after every turn
LEAD=0.5    # seconds of silence before the first turn

make_interview() {  # name  out-extension  ffmpeg-codec-args...  <<< turns
  local name=$1 ext=$2; shift 2
  local tmp; tmp=$(mktemp -d)
  local t=$LEAD i=0 parts=()
  sox -n -r 16000 -c 1 -b 16 "$tmp/lead.wav" trim 0 "$LEAD"
  parts+=("$tmp/lead.wav")
  : > "$name.ref.rttm"; : > "$name.ref.txt"
  while IFS='|' read -r who voice text; do
    [ -z "$who" ] && continue
    i=$((i + 1))
    espeak-ng -v "$voice" -s "${SPEED:-150}" -w "$tmp/raw$i.wav" "$text"
    sox "$tmp/raw$i.wav" -r 16000 -c 1 -b 16 "$tmp/turn$i.wav" silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse
    local d; d=$(soxi -D "$tmp/turn$i.wav")
    printf 'SPEAKER %s 1 %.3f %.3f <NA> <NA> %s <NA> <NA>\n' "$name" "$t" "$d" "$who" >> "$name.ref.rttm"
    printf '%s: %s\n' "$who" "$text" >> "$name.ref.txt"
    sox -n -r 16000 -c 1 -b 16 "$tmp/pause$i.wav" trim 0 "$PAUSE"
    parts+=("$tmp/turn$i.wav" "$tmp/pause$i.wav")
    t=$(python3 -c "print($t + $d + $PAUSE)")
  done
  sox "${parts[@]}" "$tmp/all.wav"
  ffmpeg -loglevel error -y -i "$tmp/all.wav" -map_metadata -1 -fflags +bitexact "$@" "$name.$ext"
  rm -rf "$tmp"
  echo "$name.$ext: $(soxi -D "$name.$ext" 2>/dev/null || ffprobe -v error -show_entries format=duration -of csv=p=0 "$name.$ext") s"
}

# English: onboarding a new employee (interviewer: American male voice; respondent: British
# female variant). Covers consent, goal, channels (email, service desk, a skilled colleague,
# self-service portal), emotions, an expectation, the peak moment and grades.
make_interview interview_en m4a -c:a aac -b:a 48k <<'TURNS'
Interviewer|en-us|Thank you for taking part. I record this interview only to improve the onboarding journey. The recording stays on this laptop and is deleted after three months. Do you agree?
Respondent|en-gb+f3|Yes, I agree.
Interviewer|en-us|What was your goal when you started here?
Respondent|en-gb+f3|I wanted to be fully productive in my first week.
Interviewer|en-us|How did you get your laptop?
Respondent|en-gb+f3|I sent an email to the service desk, but nobody answered. So I walked over to a colleague who knows everything about laptops.
Interviewer|en-us|How did you feel at that moment?
Respondent|en-gb+f3|Honestly, I was frustrated. Three weeks for a laptop was too long. I expected two days.
Interviewer|en-us|And the self service portal?
Respondent|en-gb+f3|The portal was easy. I was not really annoyed by it.
Interviewer|en-us|What was the best moment?
Respondent|en-gb+f3|The peak was when my account finally worked. I was really relieved.
Interviewer|en-us|Which grade would you give the whole journey?
Respondent|en-gb+f3|Overall I would give it a six out of ten.
TURNS

# Dutch: Outlook crashing before a deadline.
SPEED=165 make_interview interview_nl mp3 -c:a libmp3lame -b:a 48k <<'TURNS'
Interviewer|nl+m2|Wat was je doel die middag?
Respondent|nl+f3|Ik wilde voor vijf uur dat bestand versturen, maar Outlook crashte steeds.
Interviewer|nl+m2|Wat deed je toen?
Respondent|nl+f3|Ik belde de servicedesk. Dat duurde veel te lang en ik was niet blij.
Interviewer|nl+m2|Welk cijfer geef je?
Respondent|nl+f3|Ik geef het een zesje.
TURNS

# German: a broken laptop.
SPEED=135 make_interview interview_de opus -c:a libopus -b:a 32k <<'TURNS'
Interviewer|de|Was war Ihr Ziel?
Respondent|de+f3|Ich wollte meinen kaputten Laptop schnell reparieren lassen.
Interviewer|de|Wie war der Kontakt mit dem Servicedesk?
Respondent|de+f3|Ich habe angerufen und war nicht zufrieden. Ich gebe eine Drei.
TURNS
