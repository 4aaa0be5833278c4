"""Synthetic inputs for make_metric_fixtures.py (not a script itself).

Captions are written like COCO's human ones: capitals, missing or doubled punctuation,
contractions, numbers in words and digits, quotes, parentheses, hyphens, abbreviations, stray
spaces. Every function takes a seeded random.Random, so the output is fixed.
"""

SUBJECTS = [
    "A man", "a woman", "Two dogs", "The cat", "A group of people", "Several kids", "An old lady",
    "A young boy", "3 zebras", "the baseball player", "Two giraffes", "A red double-decker bus",
    "a herd of sheep", "A surfer", "Some teddy bears", "A man's dog", "The children's toys",
    "a 10-year-old girl", "A black & white cat", "Mr. Smith", "A U.S. soldier", "Two men",
]
VERBS = [
    "is standing on", "sitting on", "is riding", "holding", "is eating", "playing with", "walking down",
    "looking at", "waiting for", "can't find", "doesn't like", "isn't wearing", "standing next to",
    "parked near", "lying on", "jumping over", "cutting", "flying over",
]
OBJECTS = [
    "a skateboard", "the beach", "a bowl of soup", "a red frisbee", "the street", "an umbrella",
    "a kite", "a pizza", "the tennis ball", "a laptop", "a stop sign", "a motorcycle", "the snow",
    "a cake with candles", "two hot dogs", "a 747 jet", "1,000 birds", "3.5 pounds of meat",
    "a T-shirt", "a cell phone", "his wife's hand", "the dog's leash", 'a big "sale" sign',
    "a (blue) car", "some fruit/vegetables", "a wii remote", "a laptop, mouse, and keyboard",
    "a sign that says 'stop'", "St. Mark's church", "the grass",
]
PLACES = [
    "in the park", "on a sunny day", "at night", "near the water", "in front of a building",
    "next to a table", "on top of a hill", "during a game", "in a kitchen", "at 5 p.m.",
    "in the U.S.", "on Main St.", "in the '90s", "etc.", "with a smile", "for $5", "at 10:30",
]
ENDINGS = ["", ".", ".", ".", " .", "!", "..", "...", " ", "  ", ".  ", "?"]


def _caption(rnd) -> str:
    text = f"{rnd.choice(SUBJECTS)} {rnd.choice(VERBS)} {rnd.choice(OBJECTS)}"
    if rnd.random() < 0.6:
        text += " " + rnd.choice(PLACES)
    if rnd.random() < 0.15:
        text = text.replace(" ", "  ", 1)
    if rnd.random() < 0.2:
        text = text[0].lower() + text[1:]
    if rnd.random() < 0.05:
        text = text.upper()
    return text + rnd.choice(ENDINGS)


def _candidate(rnd, references, index) -> str:
    """Candidates of every kind the metrics must handle, cycling through the kinds."""
    kind = index % 12
    ref = rnd.choice(references)
    words = ref.split()
    if kind == 0:
        return ref                                           # exact copy of a reference
    if kind == 1:
        return ref.lower().rstrip(" .!?") + "."              # same words, other case/punctuation
    if kind == 2:
        return " ".join(words[: max(1, len(words) // 2)])    # a prefix
    if kind == 3:
        return " ".join(rnd.sample(words, len(words)))       # shuffled words
    if kind == 4:
        return _caption(rnd)                                  # an unrelated caption
    if kind == 5:
        return rnd.choice(["", " ", "...", "?", "-", "a", "dog", "The."])   # empty-ish
    if kind == 6:
        return "a man " * rnd.randint(2, 6)                  # repetition
    if kind == 7:
        return ref + " " + _caption(rnd)                     # too long
    if kind == 8:
        return '"' + ref.strip() + '" (photo), isn\'t it?!'  # punctuation and quotes
    if kind == 9:
        return ref.replace("a ", "one ").replace("Two", "2").replace("two", "2")
    if kind == 10:
        return "A picture of " + ref[:1].lower() + ref[1:]
    return " ".join(words[1:]) if len(words) > 1 else ref   # drop the first word


def caption_set(rnd):
    """A COCO annotation file for 64 images and a results list for 60 of them."""
    images, annotations, results = [], [], []
    image_ids = rnd.sample(range(1, 600000), 64)
    next_annotation = 1000
    for index, image_id in enumerate(image_ids):
        images.append({"id": image_id, "file_name": f"COCO_val2014_{image_id:012d}.jpg", "height": 480, "width": 640})
        references = [_caption(rnd) for _ in range(5)]
        if index % 9 == 4:
            references[1] = references[0]                    # duplicate references happen in COCO
        for caption in references:
            annotations.append({"image_id": image_id, "id": next_annotation, "caption": caption})
            next_annotation += 1
        if index % 16 != 15:                                 # four images get no candidate
            results.append({"image_id": image_id, "caption": _candidate(rnd, references, index)})
    rnd.shuffle(annotations)                                 # order inside an image must not matter...
    annotations.sort(key=lambda a: image_ids.index(a["image_id"]))   # ...but keep images grouped
    results.reverse()                                        # results order must not matter
    return {"info": {"description": "Glimpse synthetic caption fixture"}, "images": images,
            "annotations": annotations, "type": "captions"}, results


SNIPPETS = [
    "U.S.", "e.g.", "i.e.", "a.m.", "p.m.", "etc.", "vs.", "Mr.", "Mrs.", "Dr.", "St.", "Mt.", "Inc.",
    "Co.", "Jan.", "No.", "no.", "A.", "I.", "3.5", "1,000", "12:30", ".5", "-5", "1/2", "3 1/2", "½",
    "10/10/2010", "555-1234", "$5", "£5", "€5", "5%", "#1", "#hashtag", "@user", "a@b.com",
    "http://www.example.com", "www.google.com", "file.jpg", "x-ray", "well-known", "3-year-old",
    "dog-", "-dog", "a--b", "—", "–", "don't", "DON'T", "can't", "won't", "ain't", "I'm", "I'll",
    "we've", "they're", "it's", "man's", "dogs'", "o'clock", "O'Brien", "'n'", "'90s", "'em", "y'all",
    "c'mon", "ma'am", "don’t", "it’s", "‘quote’", "“quote”", '"quote"', "'quote'", "``quote''",
    "«quote»", '"', "'", "(", ")", "[", "]", "{", "}", "<", ">", "<b>", "</b>", "&", "&amp;", "AT&T",
    "c++", "C#", "=", "*", "_", "/", "a/b", "and/or", "w/", ":)", ";-)", "^_^", "...", "....", ". . .",
    "…", "..", "!", "?!", ",", ";", ":", "café", "naïve", "Zürich", "İstanbul", "ΣΟΦΙΑ", "привет",
    "日本", "😀", "👍🏽", "☺", "♥", "©", "°", "25°C", "x²", "\u00ad", "non\u00a0breaking", "zero\u200bwidth",
    "cannot", "gonna", "wanna", "'tis", "'twas", "Yahoo!", "hello.world", "abc123", "4x4", "1990s",
    "U.K.", "N.Y.C.", "pty. ltd.", "So. Africa", "p.s.", "Ph.D.", "a.k.a.", "Calif.", "Mass.", "Bldg.",
]
WORDS = ("a an the man woman dog cat bus train car street table plate pizza food sign tree grass "
         "snow water beach sky people kid boy girl bird horse zebra giraffe kite umbrella phone "
         "laptop bed room kitchen toilet clock tower bench field ball bat skateboard").split()


def tokenizer_strings(rnd):
    """A few hundred caption-like lines: realistic captions and dense mixes of hard snippets."""
    strings = [_caption(rnd) for _ in range(150)]
    for _ in range(200):
        parts = [rnd.choice(SNIPPETS) if rnd.random() < 0.5 else rnd.choice(WORDS) for _ in range(rnd.randint(1, 8))]
        text = parts[0]
        for part in parts[1:]:
            text += rnd.choice([" ", " ", " ", " ", "", "  ", "\t"]) + part
        strings.append(text + rnd.choice(ENDINGS))
    for _ in range(50):   # snippets glued to their neighbours
        strings.append("".join(rnd.choice(SNIPPETS + WORDS) + rnd.choice(["", "", " ", ".", ",", "'", "-"])
                               for _ in range(rnd.randint(1, 4))))
    # Lines whose tokenization depends on the next line (abbreviation or acronym at the end).
    strings += ["He lives in the U.S.", "The end", "Bought at Acme Inc.", "A dog", "a room etc.", "2 cats",
                "Look at No.", "5 dogs", "Letter B.", "The sign", "", "   ", "empty line above"]
    return strings


QUESTION_KINDS = [
    ("how many", "number", ["2", "2", "2", "two", "2", "3", "2", "2", "two", "2"], ["2", "Two", "two.", "3", "2 ", "1"]),
    ("how many", "number", ["1,000", "1000", "1,000", "lot", "many", "1000", "1,000", "100", "1000", "1,000"], ["1,000", "1000", "many"]),
    ("how many", "number", ["0", "none", "0", "zero", "0", "0", "1", "0", "0", "none"], ["0", "none", "zero", "No."]),
    ("is the", "yes/no", ["yes"] * 10, ["yes", "Yes", "yes.", "YES!", "no", " yes\n"]),
    ("is the", "yes/no", ["no", "no", "yes", "no", "no", "no", "no", "yes", "no", "no"], ["no", "No.", "yes", "nope"]),
    ("what color is the", "other", ["red", "red", "red and white", "red", "red", "red", "white", "red", "red", "red"], ["red", "Red.", "red and white", "the red", "white"]),
    ("what is the", "other", ["t-shirt", "t shirt", "tshirt", "t-shirt", "shirt", "t-shirt", "t shirt", "t-shirt", "t-shirt", "shirt"], ["t-shirt", "t shirt", "T-Shirt", "a shirt", "shirt"]),
    ("what is the", "other", ["dog", "dog", "a dog", "dog", "puppy", "dog", "dogs", "dog", "the dog", "dog"], ["dog", "a dog", "The dog.", "puppy", "dogs"]),
    ("what is the man doing", "other", ["surfing", "surfing", "surfing", "riding wave", "surfing", "surfing", "surf", "surfing", "surfing", "surfing"], ["surfing", "Surfing!", "riding a wave", "riding wave"]),
    ("why", "other", ["dont know", "don't know", "unknown", "dont know", "safety", "dont know", "don't know", "no idea", "dont know", "safety"], ["dont know", "don't know", "I don't know", "safety"]),
    ("what time", "other", ["3:30", "3:30", "330", "3:30 pm", "3:30", "afternoon", "3:30", "3:30", "330", "3:30"], ["3:30", "3:30 pm", "3.30", "afternoon"]),
    ("what is the price", "number", ["3.50", "3.50", "$3.50", "3.5", "3.50", "3.50", "350", "3.50", "$3.50", "3.50"], ["3.50", "$3.50", "3.5", "three"]),
    ("where is the", "other", ["on table", "table", "on table", "on the table", "table", "on table", "on table", "kitchen", "table", "on table"], ["on table", "on the table", "table", "On the table."]),
    ("what sport", "other", ["tennis", "tennis", "tennis", "tennis", "tennis", "tennis", "tennis", "tennis", "tennis", "tennis"], ["tennis", "Tennis", "tennis!", "badminton", ""]),
    ("what are", "other", ["kites", "kite", "kites", "kites", "kites!", "kites", "kites", "flags", "kites", "kites"], ["kites", "kite", "Kites."]),
    ("who is", "other", ["man's", "mans", "man's", "man", "man's", "mans", "man's", "man's", "woman", "man's"], ["man's", "mans", "the man's", "man"]),
]


def vqa_set(rnd):
    """Questions, annotations and results files for 64 questions in VQAv2 form."""
    questions, annotations, results = [], [], []
    for index in range(64):
        question_type, answer_type, answers, predictions = QUESTION_KINDS[index % len(QUESTION_KINDS)]
        answers = list(answers)
        rnd.shuffle(answers)
        image_id = 100000 + index * 7
        question_id = image_id * 10 + index % 3
        questions.append({"image_id": image_id, "question": f"{question_type} in picture {index}?", "question_id": question_id})
        annotations.append({
            "question_type": question_type, "multiple_choice_answer": max(set(answers), key=answers.count),
            "answers": [{"answer": a, "answer_confidence": rnd.choice(["yes", "yes", "maybe", "no"]), "answer_id": i + 1}
                        for i, a in enumerate(answers)],
            "image_id": image_id, "answer_type": answer_type, "question_id": question_id})
        results.append({"question_id": question_id, "answer": predictions[(index // len(QUESTION_KINDS)) % len(predictions)]})
    meta = {"info": {"description": "Glimpse synthetic VQA fixture"}, "task_type": "Open-Ended", "data_type": "mscoco",
            "data_subtype": "val2014", "license": {"name": "synthetic"}}
    return dict(meta, questions=questions), dict(meta, annotations=annotations), results


def vqa_normalization_strings():
    return [
        "yes", "Yes.", "YES!", " yes\n", "two", "Two dogs", "the dog", "a dog", "an apple", "The Dog's bone",
        "1,000", "1,000 people", "3.5", "3.50", "$3.50", "3:30", "10.", "none", "zero", "ten", "eleven",
        "dont", "don't", "Dont know", "im", "Im", "Ive", "youre", "wont", "yall", "maam", "oclock",
        "t-shirt", "t - shirt", "a/b", "a / b", "left/right", "(maybe)", "[a]", "{b}", "x=y", "c++", "@home",
        "e-mail", "well,", "red, white", "red,white", "1,2", "hi!", "what?", "ok.", "U.S.", "e.g.",
        "a.b.c", "." * 40, "end...", "3.", ".5", "a_b", "\\", "<b>", "`tick`", "\"quoted\"", "it's",
        "ΟΔΟΣ", "İstanbul", "café", "naïve", "  spaced   out  ", "tab\there", "", " ",
    ]
