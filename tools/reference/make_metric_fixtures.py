"""Make Tests/Fixtures/metrics/: caption-metric, PTB-tokenizer and VQA-accuracy references.

Run from the repository root:

    venv/bin/pip install pycocoevalcap==1.2          # brings pycocotools; needs java (17 works)
    venv/bin/python tools/reference/make_metric_fixtures.py

What it writes (all inputs are synthetic and drawn with fixed seeds, so reruns are identical):

- captions_annotations.json, captions_results.json: a COCO captions annotation file (64
  images, 5 human-style references each) and a results file for 60 of them.
- caption_scores.json: pycocoevalcap's Bleu(4), Rouge and Cider (its CIDEr-D: clipping and the
  sigma = 6 length penalty) on those files, run the way COCOEvalCap.evaluate runs them
  (PTBTokenizer on references and on candidates, image order of cocoRes.getImgIds()), with the
  tokenized captions and per-image values. Floats are written with repr, i.e. exactly.
- tokenizer_cases.json: caption-like strings and pycocoevalcap's PTBTokenizer output for them
  (Stanford CoreNLP 3.4.1 run by java, punctuation removed), tokenized as one stream in order.
- vqa_questions.json, vqa_annotations.json, vqa_results.json, vqa_scores.json: a VQAv2-format
  set of 64 questions with 10 human answers each, predictions, and the official accuracy per
  question and overall (unrounded; the official code also rounds 100x to 2 decimals).
- vqa_normalization.json: answers with the official processPunctuation / full prediction
  normalization applied.

The official VQA evaluation (vqaEval.py, GT-Vision-Lab/VQA) is taken from the copy that
salesforce-lavis 1.0.2 vendors (lavis/common/vqa_tools/); the script fetches that wheel with
`pip download --no-deps` unless --lavis-wheel points at one. Only those two files are used.
"""

import argparse
import importlib.util
import json
import random
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT = REPO_ROOT / "Tests" / "Fixtures" / "metrics"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from metric_fixture_text import (  # noqa: E402
    caption_set, tokenizer_strings, vqa_set, vqa_normalization_strings)


def write_json(path: Path, obj) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


# ----------------------------------------------------------------------------- captions

def caption_fixtures() -> None:
    from pycocotools.coco import COCO
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    annotations, results = caption_set(random.Random(20240611))
    ann_path = OUT / "captions_annotations.json"
    res_path = OUT / "captions_results.json"
    write_json(ann_path, annotations)
    write_json(res_path, results)

    coco = COCO(str(ann_path))
    coco_res = coco.loadRes(str(res_path))
    image_ids = coco_res.getImgIds()  # what COCOEvalCap users set params['image_id'] to
    gts = {i: coco.imgToAnns[i] for i in image_ids}
    res = {i: coco_res.imgToAnns[i] for i in image_ids}
    tokenizer = PTBTokenizer()
    gts = tokenizer.tokenize(gts)
    res = tokenizer.tokenize(res)

    bleu, bleu_per_image = Bleu(4).compute_score(gts, res, verbose=0)
    rouge, rouge_per_image = Rouge().compute_score(gts, res)
    cider, cider_per_image = Cider().compute_score(gts, res)
    per_image = []
    for index, image_id in enumerate(image_ids):
        per_image.append({
            "image_id": image_id,
            "tokenized_candidate": res[image_id][0],
            "tokenized_references": gts[image_id],
            "bleu": [float(bleu_per_image[k][index]) for k in range(4)],
            "rouge_l": float(rouge_per_image[index]),
            "cider_d": float(cider_per_image[index]),
        })
    write_json(OUT / "caption_scores.json", {
        "source": "pycocoevalcap 1.2: PTBTokenizer, Bleu(4) option=closest, Rouge, Cider (CIDEr-D, sigma 6)",
        "image_ids": image_ids,
        "bleu": [float(b) for b in bleu],
        "rouge_l": float(rouge),
        "cider_d": float(cider),
        "per_image": per_image,
    })
    print(f"captions: {len(image_ids)} images, BLEU-4 {bleu[3]:.4f}, ROUGE-L {rouge:.4f}, CIDEr-D {cider:.4f}")


def tokenizer_fixture() -> None:
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    strings = tokenizer_strings(random.Random(7))
    tokenized = PTBTokenizer().tokenize({i: [{"caption": s}] for i, s in enumerate(strings)})
    cases = [{"text": s, "tokens": tokenized[i][0]} for i, s in enumerate(strings)]
    write_json(OUT / "tokenizer_cases.json", {
        "source": "pycocoevalcap 1.2 PTBTokenizer (Stanford CoreNLP 3.4.1 -preserveLines -lowerCase, "
                  "punctuation removed); the strings are tokenized as one newline-joined stream in this order",
        "cases": cases,
    })
    print(f"tokenizer: {len(cases)} strings")


# ----------------------------------------------------------------------------- VQA

def load_official_vqa(wheel: Path):
    """vqa.py and vqa_eval.py from the LAVIS wheel, imported without the rest of LAVIS."""
    modules = {}
    with zipfile.ZipFile(wheel) as zf:
        for name in ("vqa", "vqa_eval"):
            source = zf.read(f"lavis/common/vqa_tools/{name}.py").decode("utf-8")
            spec = importlib.util.spec_from_loader(f"official_{name}", loader=None)
            module = importlib.util.module_from_spec(spec)
            exec(compile(source, f"{wheel.name}:{name}.py", "exec"), module.__dict__)
            modules[name] = module
    return modules["vqa"].VQA, modules["vqa_eval"].VQAEval


def fetch_lavis_wheel(directory: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                    "salesforce-lavis==1.0.2", "-d", str(directory)], check=True)
    return next(directory.glob("salesforce_lavis-1.0.2-*.whl"))


def vqa_fixtures(wheel: Path) -> None:
    VQA, VQAEval = load_official_vqa(wheel)

    class RawVQAEval(VQAEval):
        """The official evaluation, keeping unrounded accuracies (it stores round(100*acc, 2))."""

        def setEvalQA(self, quesId, acc):
            self.evalQA[quesId] = acc

        def setEvalQuesType(self, quesId, quesType, acc):
            pass

        def setEvalAnsType(self, quesId, ansType, acc):
            pass

        def setAccuracy(self, accQA, accQuesType, accAnsType):
            super().setAccuracy(accQA, accQuesType, accAnsType)
            self.raw = {
                "overall": float(sum(accQA)) / len(accQA),
                "per_question_type": {k: float(sum(v)) / len(v) for k, v in accQuesType.items()},
                "per_answer_type": {k: float(sum(v)) / len(v) for k, v in accAnsType.items()},
            }

    questions, annotations, results = vqa_set(random.Random(99))
    q_path, a_path, r_path = OUT / "vqa_questions.json", OUT / "vqa_annotations.json", OUT / "vqa_results.json"
    write_json(q_path, questions)
    write_json(a_path, annotations)
    write_json(r_path, results)

    vqa = VQA(str(a_path), str(q_path))
    vqa_res = vqa.loadRes(str(r_path), str(q_path))
    evaluator = RawVQAEval(vqa, vqa_res, n=2)
    evaluator.evaluate()
    write_json(OUT / "vqa_scores.json", {
        "source": "official vqaEval.py (LAVIS 1.0.2 copy), unrounded; official_overall_percent is its rounded report",
        "overall": evaluator.raw["overall"],
        "official_overall_percent": evaluator.accuracy["overall"],
        "per_answer_type": evaluator.raw["per_answer_type"],
        "per_question_type": evaluator.raw["per_question_type"],
        "per_question": [{"question_id": q, "accuracy": evaluator.evalQA[q]} for q in vqa.getQuesIds()],
    })
    print(f"vqa: {len(evaluator.evalQA)} questions, accuracy {evaluator.accuracy['overall']}%")

    helper = VQAEval()
    cases = []
    for text in vqa_normalization_strings():
        flat = text.replace("\n", " ").replace("\t", " ").strip()
        cases.append({
            "text": text,
            "punctuation": helper.processPunctuation(text),
            "prediction": helper.processDigitArticle(helper.processPunctuation(flat)),
        })
    write_json(OUT / "vqa_normalization.json", {"source": "official processPunctuation / processDigitArticle", "cases": cases})
    print(f"vqa normalization: {len(cases)} strings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lavis-wheel", type=Path, help="salesforce_lavis-1.0.2 wheel (else fetched with pip)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    caption_fixtures()
    tokenizer_fixture()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.lavis_wheel or fetch_lavis_wheel(Path(tmp))
        vqa_fixtures(wheel)


if __name__ == "__main__":
    main()
