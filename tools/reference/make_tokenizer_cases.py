"""GPT-2 tokenizer reference cases for Glimpse's byte-level BPE tokenizer.

Writes Tests/Fixtures/tokenizer/gpt2_cases.json: a JSON list of objects
  {"text": str, "ids": [int], "tokens": [str], "decoded": str, "roundtrip": bool}
where ids come from transformers' GPT2TokenizerFast loaded from ../shared/gpt2 (the genuine
GPT-2 vocab.json + merges.txt) with add_special_tokens=False, tokens are the byte-level token
strings of those ids, decoded = tokenizer.decode(ids) and roundtrip = (decoded == text).

The strings are chosen to be tricky: contractions (incl. uppercase and curly apostrophes),
digits and long numbers, whitespace runs, tabs, CR/LF, spaces before newlines, emoji (ZWJ
sequences, flags, skin tones, keycaps), CJK, Korean, Arabic, Hebrew, Devanagari, Thai,
precomposed vs combining accents, mixed scripts, punctuation runs, code, URLs, the literal
"<|endoftext|>" inside text (recognized as the special token 50256 by HF's default settings;
near-misses are not), the empty string, single spaces, very long words, non-BMP characters,
U+2028/U+2029, NBSP, zero-width characters, and seeded random mixtures of all of these.

Run from the repo root:  venv/bin/python tools/reference/make_tokenizer_cases.py
"""

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ENDOFTEXT, FIXTURES, GPT2_DIR, quiet_env, write_json  # noqa: E402

quiet_env()

from transformers import GPT2TokenizerFast  # noqa: E402

OUT = FIXTURES / "tokenizer" / "gpt2_cases.json"

HANDWRITTEN = [
    # --- trivial / empty / whitespace only
    "", " ", "  ", "   ", "\t", "\n", "\r\n", "\n\n", "\n\n\n", " \n", "  \n", " \n ", "\t\t",
    " \t \t", "\r", "\r\r\n", "\n \n", "a", " a", "a ", " a ", "  a", "a  ", "a  b", "a   b",
    "a\tb", "a \tb", "a\t b", "a\nb", "a \nb", "a  \nb", "a\n b", "a\n\nb", "a \n\n b",
    "a\r\nb", "a \r\n b", "line one\r\nline two\r\n", "trailing spaces   ", "   leading spaces",
    "end with newline\n", "ends with two newlines\n\n", "\n\nstarts with newlines",
    "tabs\tin\tthe\tmiddle", "mixed \t \n \r\n whitespace", "x" + " " * 20 + "y", " " * 17,
    "\n" * 7, "paragraph one.\n\nparagraph two.\n\n\nparagraph three.",
    # --- contractions
    "don't", "Don't", "DON'T", "I'm", "I'M", "you're", "YOU'RE", "we've", "WE'VE", "she'll",
    "SHE'LL", "he'd", "HE'D", "it's", "IT'S", "It'S", "that's what's what", "y'all", "'s",
    "'t", "'re", "'ve", "'m", "'ll", "'d", " 's", "''", "'", "'''", "rock 'n' roll",
    "the dogs' bones", "James's book", "'quoted'", "'twas the night", "o'clock",
    "don\u2019t", "I\u2019m", "it\u2019s", "\u2018single curly\u2019", "\u201cdouble curly\u201d",
    "you'RE", "We'Ve", "she'LL", "don''t", "can't won't shan't", "I'd've", "'s's's",
    "x's 'sx", "ain't nothin' but", "rock'n'roll", "l'homme", "dell'arte",
    # --- digits and numbers
    "0", "7", "42", "123", "1234", "12345", "123456789", "3.14159", "1,000,000", "1.000.000,50",
    "2024-06-01", "12:30:45", "+1 (555) 123-4567", "-17", "1e-10", "0x1F", "0b1011", "v1.2.3",
    "99.9%", "$1,234.56", "\u20ac100", "\u00a35", "\u00a5500", "100km/h", "3rd 4th 21st",
    "1234567890123456789012345678901234567890", "3.14159265358979323846264338327950288419716939937510",
    "In 1969, 600 million people watched.", "The year 2000", "room 101b", "A4", "4A", "MP3 mp4",
    "\u00bd \u00bc \u00be", "x\u00b2 + y\u00b3", "\u2160\u2161\u2162 \u216b", "\u0663\u0664\u0665",
    "\uff11\uff12\uff13", "\u0967\u0968\u0969", "\u0e51\u0e52\u0e53", "\u2460\u2461\u2462",
    # --- punctuation runs
    "Hello, world!", "Hello,world!", "Wait... what?!", "!!!", "???", "?!?!?!", "...", "\u2026",
    "----", "-- -- --", "***bold***", "___", "~~~", "(((nested)))", "[[wiki]]", "{{template}}",
    "<<>>", "<>", "=>", "->", "!=", "==", "===", ":-)", ";-)", ":D", "\u00af\\_(\u30c4)_/\u00af",
    "\"quoted\"", "\u00abguillemets\u00bb", "\u201elow quote\u201c", "a.b.c.d", "e.g. i.e. etc.",
    "#hashtag @mention", "50% off!!!", "\u2014em dash\u2014", "en\u2013dash", "\u00bfQu\u00e9?",
    "\u00a1Hola!", "semi;colon:colon", "back\\slash", "forward/slash", "pipe|pipe", "tilde~",
    "caret^", "amp&amp", "star*star", "under_score", "hyphen-ated", "a - b", " - ", "!@#$%^&*()",
    # --- code and URLs
    "def foo(x):\n    return x + 1\n", "for (int i = 0; i < n; ++i) {\n\tsum += a[i];\n}",
    "if x == 1:\n        pass\n    else:\n        raise ValueError(\"bad\")",
    "let x: [Int] = [1, 2, 3]", "print(\"Hello, \\n world\")", "SELECT * FROM users WHERE id=42;",
    "<div class=\"main\">Hi</div>", "{\"key\": [1, 2.5, null, true]}", "x += 1 // comment",
    "    indented four", "        indented eight", "\tindented tab", "snake_case_name camelCaseName",
    "https://www.example.com/path?query=1&b=2#frag", "http://localhost:8080/", "mailto:a@b.co",
    "user@example.com", "ftp://files.example.org/pub/file.tar.gz", "www.example.co.uk",
    "C:\\Users\\name\\file.txt", "/usr/local/bin/python3", "~/.bashrc", "$HOME/${VAR}",
    "#!/bin/bash\nset -euo pipefail\n", "a==b&&c||d", "i++ + ++i", "arr[0][1]", "0.5f",
    # --- special token in text
    ENDOFTEXT, " " + ENDOFTEXT, ENDOFTEXT + " ", " " + ENDOFTEXT + " ", ENDOFTEXT + ENDOFTEXT,
    "Hello" + ENDOFTEXT + "world", "Hello " + ENDOFTEXT + " world", "end of doc." + ENDOFTEXT,
    ENDOFTEXT + "Start of doc", "a\n" + ENDOFTEXT + "\nb", "<|endoftext|", "|endoftext|>",
    "<|ENDOFTEXT|>", "<| endoftext |>", "<|endoftext|>>", "<<|endoftext|>", "<|endoftext|><|",
    "endoftext", "<|startoftext|>",
    # --- accents, precomposed and combining
    "caf\u00e9", "cafe\u0301", "na\u00efve", "nai\u0308ve", "\u00c5ngstr\u00f6m", "A\u030angstro\u0308m",
    "r\u00e9sum\u00e9", "Cr\u00e8me br\u00fbl\u00e9e", "\u00fcber", "\u00dcBER", "Stra\u00dfe",
    "\u0141\u00f3d\u017a", "\u0130stanbul", "\u0131\u0130iI", "e\u0301\u0302\u0303\u0304", "\u0301",
    " \u0301", "a\u0308\u0308\u0308", "Z\u0351\u0357\u0346a\u0352\u034cl\u0346\u0352g\u0350o",
    "\u1e9b\u0323", "\ufb01nance \ufb02ow", "\u2126 \u212b \u00c5",
    # --- scripts
    "\u4f60\u597d\uff0c\u4e16\u754c\uff01", "\u6211\u7231\u5317\u4eac\u5929\u5b89\u95e8",
    "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8", "\u30ab\u30bf\u30ab\u30ca \u3072\u3089\u304c\u306a",
    "\uc548\ub155\ud558\uc138\uc694", "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8\uc785\ub2c8\ub2e4.",
    "\u1100\u1161\u11a8", "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "\u0627\u0644\u0639\u064e\u0631\u064e\u0628\u0650\u064a\u0651\u064e\u0629",
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd", "\u05e2\u05b4\u05d1\u05b0\u05e8\u05b4\u05d9\u05ea",
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e", "\u0915\u094d\u0937\u093f",
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a", "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22",
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440!", "\u0393\u03b5\u03b9\u03ac \u03c3\u03bf\u03c5 \u039a\u03cc\u03c3\u03bc\u03b5",
    "\u10d2\u10d0\u10db\u10d0\u10e0\u10ef\u10dd\u10d1\u10d0", "\u0532\u0561\u0580\u0565\u0582",
    "\u1230\u120b\u121d", "\u0dc3\u0dd2\u0d82\u0dc4\u0dbd", "\u0ba4\u0bae\u0bbf\u0bb4\u0bcd",
    "\u09ac\u09be\u0982\u09b2\u09be", "\u0f56\u0f7c\u0f51\u0f0b\u0f61\u0f72\u0f42",
    # --- mixed scripts
    "Hello\u4e16\u754c", "abc\u05d0\u05d1\u05d2def", "\u0645\u0631\u062d\u0628\u0627 world 123",
    "Tokyo\u6771\u4eac2020", "caf\u00e9\u5496\u5561\u0643\u0627\u0641\u064a\u0647", "GPT-J\u306f\u30e2\u30c7\u30eb\u3067\u3059",
    "\u041cocква Moscow", "x\u0394y", "\u03b1\u03b2\u03b3abc\u03b4\u03b5", "\ud55c\uae00English\ud55c\uae00",
    # --- emoji
    "\U0001f600", "\U0001f600\U0001f600\U0001f600", "I \u2764\ufe0f NY", "\u2764", "\u2764\ufe0f",
    "\U0001f44d\U0001f3fd", "\U0001f44b\U0001f3ff hi", "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "\U0001f469\U0001f3fd\u200d\U0001f4bb", "\U0001f3f3\ufe0f\u200d\U0001f308", "\U0001f1fa\U0001f1f8",
    "\U0001f1ef\U0001f1f5\U0001f1e9\U0001f1ea", "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "1\ufe0f\u20e3", "#\ufe0f\u20e3", "emoji at end \U0001f680", "\U0001f680 emoji at start",
    "word\U0001f525word", " \U0001f389 ", "\U0001f9d1\u200d\U0001f91d\u200d\U0001f9d1",
    # --- non-BMP, separators, invisible characters
    "\U0001d400\U0001d401\U0001d402", "\U0001d54f\U0001d560\U0001d565", "\U00020000\U0002a6d6",
    "\U00010348 gothic", "\U0001f0a1\U0001f0b1", "\U0010fffd", "\ue000 private use",
    "a\u2028b", "a\u2029b", "\u2028", "\u2029\u2029", "line\u2028 sep", "a\u0085b",
    "a\u00a0b", "\u00a0", "100\u00a0km", "a\u00a0\u00a0b", "a \u00a0b", "a\u202fb", "a\u2009b",
    "a\u3000b", "\u3000\u3000", "a\u200bb", "\u200b", "a\u200cb", "a\u200db", "\ufeffBOM",
    "a\ufeffb", "a\u00adb", "a\u2060b", "a\u180eb", "a\u000bb", "a\u000cb", "a\u001fb", "\u0000",
    "a\u0000b", "\u007f", "\u200e\u200f", "\u202eevil\u202c", "x\u034fy", "\u1680ogham",
    # --- very long words / repetition
    "a" * 100, "ab" * 60, "supercalifragilisticexpialidocious",
    "pneumonoultramicroscopicsilicovolcanoconiosis", "Rindfleischetikettierungs\u00fcberwachungsaufgaben\u00fcbertragungsgesetz",
    "x" * 300, "\u00e9" * 50, "\u4e00" * 40, "\U0001f600" * 10, "the " * 30, "!" * 50, "1" * 64,
    "A" * 33 + "b" * 33, " ".join(["word"] * 25),
    # --- sentences
    "The quick brown fox jumps over the lazy dog.", "THE QUICK BROWN FOX", "tHe QuIcK bRoWn",
    "Mr. Smith went to Washington D.C. on Jan. 5th.", "She said, \"It's fine,\" and left.",
    "What's the capital of France? It's Paris.", "He'd've done it if he'd known.",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
]


def random_cases(n: int, seed: int) -> list:
    rng = random.Random(seed)
    pools = [
        list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        list("0123456789"),
        list(" \t\n\r") + [" ", " ", " ", "\u00a0", "\u3000", "\u2028"],
        list(".,;:!?'\"()[]{}<>-_/\\@#$%^&*+=~`|"),
        ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "\u2019s"],
        list("\u00e9\u00e8\u00fc\u00f1\u00e7\u00df\u00f8\u00e5") + ["e\u0301", "o\u0308", "\u0301"],
        list("\u4f60\u597d\u4e16\u754c\u65e5\u672c\u3042\u30a2\ud55c\uae00"),
        list("\u0645\u0631\u062d\u05e9\u05dc\u0928\u092e\u0e2a\u0e27\u041f\u0440\u03b1\u03b2"),
        ["\U0001f600", "\U0001f44d\U0001f3fd", "\U0001f468\u200d\U0001f469\u200d\U0001f467",
         "\U0001f1fa\U0001f1f8", "\u2764\ufe0f", "\U0001d400", "\u200b", "\u200d", "\ufeff"],
        ["the", " the", "and", " of", "ing", " to", "tion", " is", "in", " a", "er", "GPT", "J"],
        [ENDOFTEXT],
    ]
    weights = [20, 6, 10, 8, 3, 4, 4, 3, 3, 12, 1]
    out = []
    for _ in range(n):
        length = rng.randint(1, 40)
        parts = []
        for _ in range(length):
            pool = rng.choices(pools, weights=weights)[0]
            parts.append(rng.choice(pool))
        out.append("".join(parts))
    return out


def main() -> None:
    tok = GPT2TokenizerFast.from_pretrained(str(GPT2_DIR))
    assert len(tok) == 50257 and tok.convert_tokens_to_ids(ENDOFTEXT) == 50256
    texts = []
    seen = set()
    for t in HANDWRITTEN + random_cases(100, seed=1234):
        if t not in seen:
            seen.add(t)
            texts.append(t)
    cases = []
    not_roundtrip = 0
    for text in texts:
        ids = tok(text, add_special_tokens=False)["input_ids"]
        decoded = tok.decode(ids)
        cases.append({
            "text": text,
            "ids": ids,
            "tokens": tok.convert_ids_to_tokens(ids),
            "decoded": decoded,
            "roundtrip": decoded == text,
        })
        not_roundtrip += decoded != text
    # The special token is recognized inside text (not split into '<', '|', ...).
    eot = next(c for c in cases if c["text"] == "Hello" + ENDOFTEXT + "world")
    assert 50256 in eot["ids"], eot
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_json(OUT, cases)
    print(f"wrote {OUT}: {len(cases)} cases, {not_roundtrip} do not round-trip through decode")


if __name__ == "__main__":
    main()
