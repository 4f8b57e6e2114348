#!/usr/bin/env bash
# Regenerates the sample interviews in this folder from the scripts below, so that the words
# and the turn times are known exactly. Needs espeak-ng, sox and ffmpeg (Debian packages).
#
#   bash sample_audio/make_samples.sh
#
# Each interview is a list of turns "SPEAKER|espeak-ng voice options|text". Every turn is spoken to a
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
    # shellcheck disable=SC2086  # $voice holds several espeak-ng options
    espeak-ng -s "${SPEED:-150}" $voice -w "$tmp/raw$i.wav" "$text"
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

# English: onboarding a new employee. Interviewer: a low male voice; respondent: a high
# female variant, a pair the CAM++ speaker embedding tells apart (most espeak-ng pairs sound
# alike to it). Covers consent, goal, channels (email, service desk, a skilled colleague,
# self-service portal), emotions, an expectation, the peak moment and grades.
make_interview interview_en m4a -c:a aac -b:a 48k <<'TURNS'
Interviewer|-v en-us -p 20|Thank you for taking part. I record this interview only to improve the onboarding journey. The recording stays on this laptop and is deleted after three months. Do you agree?
Respondent|-v en-us+f4 -p 90 -s 135|Yes, I agree.
Interviewer|-v en-us -p 20|What was your goal when you started here?
Respondent|-v en-us+f4 -p 90 -s 135|I wanted to be fully productive in my first week.
Interviewer|-v en-us -p 20|How did you get your laptop?
Respondent|-v en-us+f4 -p 90 -s 135|I sent an email to the service desk, but nobody answered. So I walked over to the guy who knows everything about laptops.
Interviewer|-v en-us -p 20|How did you feel at that moment?
Respondent|-v en-us+f4 -p 90 -s 135|Honestly, I was frustrated. Three weeks for a laptop was too long. I expected two days.
Interviewer|-v en-us -p 20|And the self service portal?
Respondent|-v en-us+f4 -p 90 -s 135|The portal itself was quite easy to use. I was not really annoyed by it.
Interviewer|-v en-us -p 20|What was the best moment?
Respondent|-v en-us+f4 -p 90 -s 135|The peak was when my account finally worked. I was really relieved.
Interviewer|-v en-us -p 20|Which grade would you give the whole journey?
Respondent|-v en-us+f4 -p 90 -s 135|For the whole journey, I would give it a six. Six out of ten.
TURNS

# Dutch: Outlook crashing before a deadline.
SPEED=165 make_interview interview_nl mp3 -c:a libmp3lame -b:a 48k <<'TURNS'
Interviewer|-v nl+m2|Wat was je doel die middag?
Respondent|-v nl+f3|Ik wilde voor vijf uur dat bestand versturen, maar Outlook crashte steeds.
Interviewer|-v nl+m2|Wat deed je toen?
Respondent|-v nl+f3|Ik belde de servicedesk. Dat duurde veel te lang en ik was niet blij.
Interviewer|-v nl+m2|Welk cijfer geef je?
Respondent|-v nl+f3|Ik geef het een zesje.
TURNS

# German: a broken laptop.
SPEED=135 make_interview interview_de opus -c:a libopus -b:a 32k <<'TURNS'
Interviewer|-v de|Was war Ihr Ziel?
Respondent|-v de+f3|Ich wollte meinen kaputten Laptop schnell reparieren lassen.
Interviewer|-v de|Wie war der Kontakt mit dem Servicedesk?
Respondent|-v de+f3|Ich habe angerufen und war nicht zufrieden. Ich gebe eine Drei.
TURNS
