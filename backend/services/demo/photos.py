"""Generated photos for the demo data: field scenes drawn with shapes and noise, some with EXIF time and GPS.

A few dozen distinct images are made and reused across reports, so the photo store shows its dedupe by hash.
Everything is drawn from a seeded random generator, so the same seed gives byte-identical JPEGs.
"""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PIL import ExifTags, Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 960, 720
Colour = tuple[int, int, int]
Scene = Callable[[ImageDraw.ImageDraw, random.Random, int], None]


@dataclass(frozen=True)
class DemoPhoto:
    data: bytes
    sha256: str
    scene: str
    # Where the EXIF says it was taken, when it carries GPS (lat, lon); the time is in the EXIF too.
    exif_point: tuple[float, float] | None


def _jitter(rng: random.Random, colour: Colour, spread: int = 18) -> Colour:
    r, g, b = (max(0, min(255, c + rng.randint(-spread, spread))) for c in colour)
    return (r, g, b)


def _landscape(draw: ImageDraw.ImageDraw, rng: random.Random) -> int:
    """Sky, a far hill, a field and a hedgerow; returns the y of the field's far edge."""
    sky = _jitter(rng, rng.choice([(150, 180, 210), (185, 195, 205), (120, 150, 190), (210, 190, 160)]))
    for y in range(0, HEIGHT // 2):
        shade = tuple(max(0, c - y // 8) for c in sky)
        draw.line([(0, y), (WIDTH, y)], fill=shade)
    horizon = rng.randint(250, 330)
    hill = [(0, horizon)]
    for x in range(0, WIDTH + 120, 120):
        hill.append((x, horizon - rng.randint(10, 70)))
    hill += [(WIDTH, HEIGHT), (0, HEIGHT)]
    draw.polygon(hill, fill=_jitter(rng, (95, 125, 80)))
    field = _jitter(rng, rng.choice([(96, 150, 62), (170, 150, 80), (120, 95, 60), (140, 170, 90)]))
    draw.polygon([(0, horizon + 20), (WIDTH, horizon + 5), (WIDTH, HEIGHT), (0, HEIGHT)], fill=field)
    for _ in range(60):  # the hedgerow: overlapping dark green blobs along the field edge
        x = rng.randint(-20, WIDTH)
        y = horizon + rng.randint(-10, 25)
        r = rng.randint(14, 34)
        draw.ellipse([x - r, y - r, x + r, y + r // 2], fill=_jitter(rng, (45, 80, 40), 12))
    return horizon


def _gateway(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: int) -> tuple[int, int]:
    """Two posts and a five-bar gate, left open or shut; returns the gateway's foot (x, y)."""
    x = rng.randint(200, 600)
    y = horizon + rng.randint(120, 200)
    wood = _jitter(rng, (120, 100, 70))
    draw.rectangle([x - 12, y - 150, x + 8, y], fill=wood)
    draw.rectangle([x + 300, y - 150, x + 320, y], fill=wood)
    gate_end = x + 300 if rng.random() < 0.5 else x + 150
    for bar in range(5):
        by = y - 130 + bar * 26
        draw.line([(x + 8, by), (gate_end, by + (0 if gate_end > x + 200 else 30))], fill=wood, width=7)
    draw.line([(x + 8, y - 20), (gate_end, y - 130)], fill=wood, width=6)
    return x, y


def _rubbish(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: int) -> None:
    x, y = _gateway(draw, rng, horizon)
    for _ in range(rng.randint(6, 18)):  # black bags, rubble, a mattress, tyres
        bx = x + rng.randint(-60, 360)
        by = y + rng.randint(-10, 120)
        kind = rng.random()
        if kind < 0.5:
            w, h = rng.randint(50, 90), rng.randint(40, 70)
            draw.ellipse([bx, by - h, bx + w, by], fill=_jitter(rng, (25, 25, 28), 8))
        elif kind < 0.7:
            draw.ellipse([bx, by - 60, bx + 60, by], outline=(20, 20, 20), width=14)
        elif kind < 0.85:
            draw.rectangle([bx, by - 30, bx + 180, by], fill=_jitter(rng, (220, 215, 200)))
        else:
            draw.polygon([(bx, by), (bx + 40, by - 50), (bx + 90, by)], fill=_jitter(rng, (150, 140, 130)))


def _tracks(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: int) -> None:
    """Tyre ruts across a crop: off-roaders, hare coursers' vehicles."""
    for _ in range(rng.randint(2, 4)):
        start = (rng.randint(-100, WIDTH), HEIGHT)
        end = (rng.randint(0, WIDTH), horizon + rng.randint(20, 60))
        for offset in (0, 70):
            draw.line([(start[0] + offset, start[1]), (end[0] + offset // 4, end[1])], fill=(85, 65, 45), width=16)


def _fence(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: int) -> None:
    """A post-and-rail fence with a section smashed through."""
    y = horizon + rng.randint(140, 220)
    wood = _jitter(rng, (135, 110, 80))
    gap_at = rng.randint(2, 6)
    for i in range(10):
        x = i * 110 + rng.randint(-10, 10)
        lean = rng.randint(-40, 40) if abs(i - gap_at) <= 1 else 0
        draw.line([(x, y), (x + lean, y - 140)], fill=wood, width=14)
        if i != gap_at:
            for rail in (40, 90):
                draw.line([(x, y - rail), (x + 110, y - rail + rng.randint(-4, 4))], fill=wood, width=9)


def _vehicle(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: int) -> None:
    """A van or pickup in a gateway, seen from behind, plate unreadable."""
    _gateway(draw, rng, horizon)
    x = rng.randint(150, 550)
    y = horizon + rng.randint(160, 260)
    body = _jitter(rng, rng.choice([(235, 235, 235), (40, 40, 45), (170, 175, 180), (40, 60, 110)]))
    draw.rectangle([x, y - 180, x + 260, y - 30], fill=body)
    draw.rectangle([x + 20, y - 160, x + 240, y - 110], fill=(70, 80, 90))
    draw.rectangle([x + 90, y - 70, x + 170, y - 48], fill=(235, 200, 40))  # the plate, blurred later
    for wheel_x in (x + 20, x + 190):
        draw.ellipse([wheel_x, y - 50, wheel_x + 55, y + 5], fill=(20, 20, 20))


def _yard(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: int) -> None:
    """A barn with its door forced: where the quad or the tools were."""
    x = rng.randint(80, 400)
    y = horizon + rng.randint(150, 230)
    draw.rectangle([x, y - 260, x + 420, y], fill=_jitter(rng, (110, 95, 85)))
    draw.polygon([(x - 20, y - 260), (x + 210, y - 340), (x + 440, y - 260)], fill=_jitter(rng, (90, 90, 95)))
    door = (x + 140, y - 170, x + 280, y)
    draw.rectangle(door, fill=(25, 22, 20))
    draw.line([(door[2], door[1]), (door[2] + 60, door[1] + 20)], fill=(160, 140, 110), width=10)


def _sheep(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: int) -> None:
    """Sheep scattered across a field, one lying down: after a dog attack."""
    for _ in range(rng.randint(5, 14)):
        x = rng.randint(0, WIDTH - 80)
        y = rng.randint(horizon + 60, HEIGHT - 40)
        size = 20 + (y - horizon) // 8
        draw.ellipse([x, y - size, x + size * 2, y], fill=_jitter(rng, (225, 222, 210), 10))
        draw.ellipse([x - size // 2, y - size, x + size // 3, y - size // 3], fill=(40, 38, 36))


SCENES: dict[str, Scene] = {
    "fly-tipping in a gateway": _rubbish,
    "tyre tracks across a field": _tracks,
    "a smashed fence": _fence,
    "a vehicle in a gateway": _vehicle,
    "a barn broken into": _yard,
    "sheep scattered in a field": _sheep,
}


def _exif(rng: random.Random, taken: datetime, point: tuple[float, float] | None) -> Image.Exif:
    exif = Image.Exif()
    stamp = taken.strftime("%Y:%m:%d %H:%M:%S")
    exif[ExifTags.Base.Make] = rng.choice(["Apple", "samsung", "Google", "motorola"])
    exif[ExifTags.Base.Model] = rng.choice(["iPhone 12", "SM-A536B", "Pixel 7a", "moto g54"])
    exif[ExifTags.Base.DateTime] = stamp
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = stamp
    if point is not None:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        for ref_tag, value_tag, value, signs in (
            (ExifTags.GPS.GPSLatitudeRef, ExifTags.GPS.GPSLatitude, point[0], "NS"),
            (ExifTags.GPS.GPSLongitudeRef, ExifTags.GPS.GPSLongitude, point[1], "EW"),
        ):
            gps[ref_tag] = signs[0] if value >= 0 else signs[1]
            degrees = abs(value)
            minutes = (degrees % 1) * 60
            gps[value_tag] = (float(int(degrees)), float(int(minutes)), round((minutes % 1) * 60, 2))
    return exif


def make_photos(
    rng: random.Random, count: int, taken_between: tuple[datetime, datetime], points: list[tuple[float, float]]
) -> list[DemoPhoto]:
    """`count` distinct JPEGs; about a third carry EXIF GPS (one of `points`), most carry the time taken."""
    start, end = taken_between
    photos = []
    names = list(SCENES)
    # One sheet of sensor noise, a different crop of it for each photo. Drawn from `rng` (Pillow's own
    # effect_noise is not seeded), so the same seed gives the same bytes, hence the same hashes.
    size = (WIDTH + 240, HEIGHT + 180)
    grain = Image.frombytes("L", size, rng.randbytes(size[0] * size[1])).filter(ImageFilter.SMOOTH)
    for i in range(count):
        scene = names[i % len(names)]
        image = Image.new("RGB", (WIDTH, HEIGHT))
        draw = ImageDraw.Draw(image)
        horizon = _landscape(draw, rng)
        SCENES[scene](draw, rng, horizon)
        # Sensor noise and a little softness, so it looks photographed rather than drawn.
        x, y = rng.randrange(240), rng.randrange(180)
        noise = grain.crop((x, y, x + WIDTH, y + HEIGHT)).convert("RGB")
        image = Image.blend(image, noise, rng.uniform(0.08, 0.16)).filter(ImageFilter.SMOOTH)
        point = rng.choice(points) if points and rng.random() < 0.35 else None
        taken = start + (end - start) * rng.random()
        save: dict[str, object] = {"quality": rng.randint(72, 88)}
        if rng.random() < 0.8 or point is not None:
            save["exif"] = _exif(rng, taken, point)
        out = io.BytesIO()
        image.save(out, "JPEG", **save)
        data = out.getvalue()
        photos.append(DemoPhoto(data, hashlib.sha256(data).hexdigest(), scene, point if "exif" in save else None))
    return photos
