#!/usr/bin/python3
"""png_check.py FILE MIN_WIDTH MIN_HEIGHT: is this PNG a picture of something?

Fails unless the image has at least the given size, at least 8 distinct
colours and at least 2% of its pixels not the background (its most common
colour). Prints what it found. Needs Debian's python3-pil.
"""
import sys

from PIL import Image


def main():
    path, min_w, min_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    img = Image.open(path).convert("RGB")
    w, h = img.size
    colours = img.getcolors(maxcolors=w * h)
    total = w * h
    background = max(n for n, _ in colours)
    inked = 1 - background / total
    print(f"{path}: {w}x{h}, {len(colours)} colours, {100 * inked:.1f}% not background")
    ok = w >= min_w and h >= min_h and len(colours) >= 8 and inked >= 0.02
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
