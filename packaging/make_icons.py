"""Draw the app icon (a checked mask outline on a blue tile) as PNG, ICO and ICNS with Pillow.

Run once from the repository root: ``python packaging/make_icons.py``; the outputs are committed.
"""

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent


def draw(size: int = 512) -> Image.Image:
    s = size / 512
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([16 * s, 16 * s, 496 * s, 496 * s], radius=96 * s, fill=(36, 84, 160, 255))
    # a blob-shaped mask, translucent fill + outline, as the app draws masks
    blob = [(120, 300), (140, 180), (230, 120), (340, 140), (390, 230), (360, 340), (250, 390), (160, 370)]
    pts = [(x * s, y * s) for x, y in blob]
    overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
    ImageDraw.Draw(overlay).polygon(pts, fill=(255, 196, 0, 150))
    img = Image.alpha_composite(img, overlay)
    d = ImageDraw.Draw(img)
    d.line([*pts, pts[0]], fill=(255, 214, 64, 255), width=int(14 * s), joint="curve")
    # the check mark of a passed review
    d.line([(250 * s, 300 * s), (320 * s, 370 * s), (450 * s, 200 * s)], fill=(255, 255, 255, 255),
           width=int(40 * s), joint="curve")  # fmt: skip
    return img


def main() -> None:
    icon = draw(512)
    icon.save(HERE / "linux" / "pixelproof.png")
    icon.save(
        HERE / "windows" / "pixelproof.ico",
        sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)],
    )
    icon.save(HERE / "macos" / "pixelproof.icns")


if __name__ == "__main__":
    main()
