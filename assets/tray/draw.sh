#!/bin/sh
# Draws the tray icons in this folder with ImageMagick 6 (`convert`).
# Each is drawn at 128×128 and scaled down to 16×16 (name.png) and
# 32×32 (name@2x.png): a monitor, grey when not sharing, with a green dot
# while sharing, an orange one while someone is viewing and a red one while
# recording. The *Template images are the macOS menu-bar versions: black
# shapes on transparency (macOS tints them), told apart by shape: an empty
# screen, a dot, a filled screen with a dot, a record dot inside the screen.
#
#   sh assets/tray/draw.sh
set -eu
cd "$(dirname "$0")"
CONVERT=${CONVERT:-convert}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# recdot IN OUT: a record dot in the middle of the screen (the macOS template's recording state).
recdot() {
  "$CONVERT" "$1" -fill black -draw "circle 64,53 64,36" "$3"
}

# monitor BORDER SCREEN OUT: the monitor glyph, 128×128 (SCREEN "none": see-through).
monitor() {
  "$CONVERT" -size 128x128 xc:none \
    -fill "$1" -draw "roundrectangle 6,14 121,92 12,12" \
    \( -size 128x128 xc:none -fill black -draw "rectangle 17,25 110,81" \) -compose DstOut -composite \
    -compose Over -fill "$2" -draw "rectangle 17,25 110,81" \
    -fill "$1" -draw "rectangle 54,92 73,106" \
    -fill "$1" -draw "roundrectangle 34,104 93,116 5,5" \
    "$3"
}

# dot IN COLOUR OUT: cut a ring around the dot's place, then draw the dot.
dot() {
  "$CONVERT" "$1" \
    \( -size 128x128 xc:none -fill black -draw "circle 100,96 100,68" \) -compose DstOut -composite \
    -compose Over -fill "$2" -draw "circle 100,96 100,75" \
    "$3"
}

# scale BIG NAME: write NAME.png (16 px) and NAME@2x.png (32 px).
scale() {
  "$CONVERT" "$1" -filter Lanczos -resize 16x16 -strip "PNG32:$2.png"
  "$CONVERT" "$1" -filter Lanczos -resize 32x32 -strip "PNG32:$2@2x.png"
}

monitor '#6b7280' '#d1d5db' "$tmp/stopped.png"
monitor '#1f2937' '#dbeafe' "$tmp/on.png"
dot "$tmp/on.png" '#16a34a' "$tmp/sharing.png"
dot "$tmp/on.png" '#ea580c' "$tmp/viewed.png"
dot "$tmp/on.png" '#dc2626' "$tmp/recording.png"
scale "$tmp/stopped.png" stopped
scale "$tmp/sharing.png" sharing
scale "$tmp/viewed.png" viewed
scale "$tmp/recording.png" recording

monitor black none "$tmp/t-outline.png"
monitor black black "$tmp/t-filled.png"
dot "$tmp/t-outline.png" black "$tmp/t-sharing.png"
dot "$tmp/t-filled.png" black "$tmp/t-viewed.png"
scale "$tmp/t-outline.png" stoppedTemplate
scale "$tmp/t-sharing.png" sharingTemplate
scale "$tmp/t-viewed.png" viewedTemplate
recdot "$tmp/t-outline.png" - "$tmp/t-recording.png"
scale "$tmp/t-recording.png" recordingTemplate
