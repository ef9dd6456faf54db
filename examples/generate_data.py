"""Regenerate the data files of the bundled example manifests.

    python examples/generate_data.py

Deterministic and standard-library only: the signals are built from integer arithmetic
and a polynomial sine (no libm, no ``random``), so every run on every platform writes
the same bytes. The manifests and the configuration JSON are written by hand and are not
touched.

- imu-gestures: 3 subjects x 3 gestures x 2 trials, 3 s of 6-axis IMU data at 100 Hz
  (CSV, columns AccelerometerX..Z, GyroscopeX..Z), as data/<Subject>/<gesture>_<trial>.csv
- keyword-spotting: 16 kHz mono 16-bit PCM WAV files of synthetic "words" (tone pairs
  with an envelope and noise), as data/<word>_<speaker>.wav
"""

from __future__ import annotations

import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent / "manifests"
PI = 3.141592653589793

SUBJECTS = ("S01", "S02", "S03")
GESTURES = ("wave", "circle", "tap")
TRIALS = (1, 2)
IMU_RATE = 100
IMU_SECONDS = 3
IMU_COLUMNS = (
    "AccelerometerX",
    "AccelerometerY",
    "AccelerometerZ",
    "GyroscopeX",
    "GyroscopeY",
    "GyroscopeZ",
)

AUDIO_RATE = 16000
WORDS = {"yes": (660.0, 880.0, 0.75), "no": (330.0, 440.0, 0.5), "stop": (520.0, 390.0, 0.6)}
SPEAKERS = {"alice": 1.0, "bob": 0.85}


def sine(x: float) -> float:
    """sin(x) from + - * / only (range reduction and an odd polynomial): bit-identical
    on every IEEE-754 platform, unlike math.sin."""
    x = x % (2 * PI)
    if x > PI:
        x -= 2 * PI
    if x > PI / 2:
        x = PI - x
    elif x < -PI / 2:
        x = -PI - x
    x2 = x * x
    return x * (1 - x2 / 6 * (1 - x2 / 20 * (1 - x2 / 42 * (1 - x2 / 72 * (1 - x2 / 110)))))


class Noise:
    """A 32-bit linear congruential generator: small, seedable, exactly reproducible."""

    def __init__(self, seed: int) -> None:
        self.state = seed & 0xFFFFFFFF

    def next(self, amplitude: int) -> int:
        """An integer in [-amplitude, amplitude]."""
        self.state = (1664525 * self.state + 1013904223) & 0xFFFFFFFF
        return (self.state >> 8) % (2 * amplitude + 1) - amplitude


def imu_row(gesture: str, t: float, scale: float) -> tuple[float, ...]:
    """Accelerometer (counts, 1 g = 4096) and gyroscope (counts) for one instant."""
    if gesture == "wave":
        ax, ay, az = 2200 * sine(2 * PI * 2 * t), 300 * sine(2 * PI * 4 * t), 4096.0
        gx, gy, gz = 150 * sine(2 * PI * 2 * t), 80.0, 900 * sine(2 * PI * 2 * t + PI / 2)
    elif gesture == "circle":
        ax, ay, az = 1500 * sine(2 * PI * t), 1500 * sine(2 * PI * t + PI / 2), 4000.0
        gx, gy, gz = 600 * sine(2 * PI * t + PI / 2), 600 * sine(2 * PI * t), 120.0
    else:  # tap: a short spike every half second
        phase = (t * 2) % 1.0
        spike = 3000 * (1 - phase * 10) if phase < 0.1 else 0.0
        ax, ay, az = 120.0, -80.0, 4096 + spike
        gx, gy, gz = spike / 10, -spike / 20, 30.0
    return tuple(v * scale for v in (ax, ay, az, gx, gy, gz))


def imu_csv(subject: str, gesture: str, trial: int) -> str:
    index = SUBJECTS.index(subject) * 100 + GESTURES.index(gesture) * 10 + trial
    noise = Noise(index)
    scale = 0.9 + 0.1 * SUBJECTS.index(subject) + 0.02 * trial
    lines = [",".join(IMU_COLUMNS)]
    for n in range(IMU_RATE * IMU_SECONDS):
        row = imu_row(gesture, n / IMU_RATE, scale)
        lines.append(",".join(str(int(v) + noise.next(40)) for v in row))
    return "\n".join(lines) + "\n"


def wav_bytes(word: str, speaker: str) -> bytes:
    first, second, seconds = WORDS[word]
    pitch = SPEAKERS[speaker]
    count = int(AUDIO_RATE * seconds)
    noise = Noise(len(word) * 7919 + int(pitch * 1000))
    samples = []
    for n in range(count):
        t = n / AUDIO_RATE
        envelope = sine(PI * n / count)  # a half-sine swell over the word
        tone = first if n < count // 2 else second
        value = 9000 * envelope * sine(2 * PI * tone * pitch * t) + noise.next(300)
        samples.append(max(-32768, min(32767, int(value))))
    data = struct.pack(f"<{count}h", *samples)
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(data),
        b"WAVE",
        b"fmt ",
        16,
        1,  # PCM
        1,  # mono
        AUDIO_RATE,
        AUDIO_RATE * 2,
        2,
        16,
        b"data",
        len(data),
    )
    return header + data


def write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def main() -> None:
    imu = HERE / "imu-gestures" / "data"
    for subject in SUBJECTS:
        for gesture in GESTURES:
            for trial in TRIALS:
                text = imu_csv(subject, gesture, trial)
                write(imu / subject / f"{gesture}_{trial}.csv", text.encode("ascii"))
    audio = HERE / "keyword-spotting" / "data"
    for word in WORDS:
        for speaker in SPEAKERS:
            write(audio / f"{word}_{speaker}.wav", wav_bytes(word, speaker))


if __name__ == "__main__":
    main()
