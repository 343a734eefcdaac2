"""Redaction benchmark: the cost of `redact` per string, as result documents call it.

`scanner.outputs.redact_document` calls `redact` on every string of a result document
(usernames, emails, messages, evidence values), so its per-string cost multiplies with
the size of an org. Prints microseconds per call over a realistic mix of strings with a
few registered secrets (an access token, a password, a client secret), with and without
a secret present. Not a test: a slow machine cannot make the suite flaky.

    python -m benchmarks.bench_redact [--strings 200000] [--secrets 3]
"""

from __future__ import annotations

import argparse
import random
import string
import time

from scanner.redact import redact, register_secret


def _strings(count: int, rng: random.Random) -> list[str]:
    words = ["admin", "integration", "sales", "support", "north", "emea", "ops", "finance"]
    texts: list[str] = []
    for i in range(count):
        kind = i % 5
        if kind == 0:
            texts.append(f"{rng.choice(words)}.{i}@acme.example.com")
        elif kind == 1:
            texts.append(f"005{i:012d}")
        elif kind == 2:
            texts.append(f"user{i}@acme.example.com can view and modify all data and manage users")
        elif kind == 3:
            texts.append(rng.choice(words).title() + " Profile " + str(i))
        else:
            texts.append(" ".join(rng.choice(words) for _ in range(40)))  # a description
    return texts


def main() -> None:
    """Print per-call redaction times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strings", type=int, default=200_000)
    parser.add_argument("--secrets", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(7)
    secrets = [
        "00D5g000004abcd!AQ4AQFKxyz.abcdefghijklmnopqrstuvwxyz0123456789",
        "S3cr3t/p@ss+word=",
        "3MVG9" + "".join(rng.choice(string.ascii_letters) for _ in range(80)),
    ][: args.secrets]
    for i in range(len(secrets), args.secrets):
        secrets.append(
            "".join(rng.choice(string.ascii_letters + "+/=") for _ in range(40)) + str(i)
        )
    for secret in secrets:
        register_secret(secret)
    plain = _strings(args.strings, rng)
    with_secret = [f"{text} {secrets[i % len(secrets)]}" for i, text in enumerate(plain[:20_000])]
    redact("warm up")
    for label, texts in (("no secret", plain), ("with a secret", with_secret)):
        best = float("inf")
        for _ in range(args.rounds):
            started = time.perf_counter()
            for text in texts:
                redact(text)
            best = min(best, time.perf_counter() - started)
        print(f"{label:>14}: {best / len(texts) * 1e6:6.2f} µs per string ({len(texts):,} strings)")


if __name__ == "__main__":
    main()
