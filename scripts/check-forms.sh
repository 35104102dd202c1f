#!/usr/bin/env bash
# Prints printable forms (HTML with an A4 print stylesheet) to PDF with headless Chromium, as an
# office would, and checks each PDF: exactly one A4 page (pdfinfo), and every expected string in its
# text (pdftotext).
#
# Usage: scripts/check-forms.sh 'FORM.html|expected|expected…' ['FORM.html|…' …]
#   One argument per form: the HTML file, then the strings its PDF must contain, separated by '|'.
# Needs chromium, fonts-noto-cjk and poppler-utils (Debian); installs them when missing, as root or
# with sudo. Exits 1 naming the first form that fails, 0 when every form passes.
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 'FORM.html|expected|…' …" >&2
    exit 2
fi

if ! command -v chromium >/dev/null 2>&1 || ! command -v pdfinfo >/dev/null 2>&1 \
    || ! fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then
    echo "installing chromium, fonts-noto-cjk and poppler-utils …" >&2
    sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failed=0
for case in "$@"; do
    IFS='|' read -r -a fields <<<"$case"
    html=$(realpath "${fields[0]}")
    name=$(basename "$html" .html)
    pdf="$work/$name.pdf"
    if ! chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
        --user-data-dir="$work/profile" --print-to-pdf="$pdf" "file://$html" >"$work/chromium.log" 2>&1 \
        || [ ! -s "$pdf" ]; then
        echo "FAIL $name: chromium made no PDF"
        tail -n 5 "$work/chromium.log"
        failed=1
        continue
    fi
    pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
    size=$(pdfinfo "$pdf" | sed -n 's/^Page size: *//p')
    problems=()
    [ "$pages" = 1 ] || problems+=("$pages pages, not 1")
    case "$size" in
        *"(A4)"*) ;;
        *) problems+=("page size $size, not A4") ;;
    esac
    # pdftotext may break a line inside a phrase: compare without whitespace.
    text=$(pdftotext -enc UTF-8 "$pdf" - | tr -d ' \t\n\r\f\v')
    for expected in "${fields[@]:1}"; do
        compact=$(printf '%s' "$expected" | tr -d ' \t\n\r\f\v')
        [[ "$text" == *"$compact"* ]] || problems+=("no \"$expected\" in the text")
    done
    if [ ${#problems[@]} -eq 0 ]; then
        echo "ok   $name: 1 A4 page, $(( ${#fields[@]} - 1 )) expected strings found ($(stat -c %s "$pdf") bytes)"
    else
        echo "FAIL $name: $(IFS=';'; echo "${problems[*]}")"
        failed=1
    fi
done
exit "$failed"
