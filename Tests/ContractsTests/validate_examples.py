#!/usr/bin/env python3
"""Independent check of the freeze-relay event contracts with Python's `jsonschema`.

It validates JSON documents against the schemas in `schemas/` the way an integrator's
validator should: draft 2020-12, `$ref`s across files resolved offline through a
`referencing` registry, the `date-time` and `iban` formats asserted (not just annotated),
patterns with ECMA-262 semantics, and JSON parsed strictly (duplicate keys, NaN/Infinity,
lone surrogates and a byte order mark are refused, as the relay refuses them).

Usage:
  validate_examples.py                 check every example under schemas/examples; exit 1 on a mismatch
  validate_examples.py --report        print one JSON object per example: file, valid, paths
  validate_examples.py --stdin         read a JSON array of documents from stdin, validate each against the
                                       schema named by its `type`, print a JSON array of results
  validate_examples.py --schemas DIR   use another schemas directory
"""

import argparse
import datetime
import json
import pathlib
import re
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator, FormatChecker, ValidationError
    from jsonschema.validators import extend
except ImportError as error:  # pragma: no cover - reported to the Swift test as a failure
    print(f"validate_examples.py: missing Python package: {error.name}; run .ci/install-deps", file=sys.stderr)
    sys.exit(3)
try:  # jsonschema >= 4.18 resolves $refs through `referencing`; older 4.x (e.g. Debian's package) through RefResolver
    import referencing
    from referencing.jsonschema import DRAFT202012
except ImportError:
    referencing = None

ROOT = pathlib.Path(__file__).resolve().parents[2]


class StrictJSONError(ValueError):
    pass


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise StrictJSONError(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def _no_constants(name):
    raise StrictJSONError(f"{name} is not JSON")


def _check_surrogates(value):
    if isinstance(value, str):
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
            raise StrictJSONError("lone surrogate escape")
    elif isinstance(value, list):
        for item in value:
            _check_surrogates(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_surrogates(key)
            _check_surrogates(item)


def load_strict(raw: bytes):
    """Parse one JSON document with the relay's strictness."""
    text = raw.decode("utf-8")  # strict: invalid UTF-8 raises; 'utf-8' (not utf-8-sig) keeps a BOM, which json refuses
    value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    _check_surrogates(value)
    return value


def make_format_checker(countries):
    checker = FormatChecker(formats=())

    @checker.checks("date-time", raises=ValueError)
    def _date_time(instance):
        if not isinstance(instance, str):
            return True
        match = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?Z", instance)
        if not match:
            raise ValueError("not an RFC 3339 UTC date-time")
        year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
        datetime.datetime(year, month, day, hour, minute, second)  # raises for Feb 30, hour 24, second 60, year 0
        return True

    bban_patterns = {}
    for code, entry in countries.items():
        parts = re.findall(r"(\d+)!([nac])", entry["bban"])
        classes = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}
        bban_patterns[code] = re.compile("".join(f"{classes[kind]}{{{count}}}" for count, kind in parts))

    @checker.checks("iban", raises=ValueError)
    def _iban(instance):
        if not isinstance(instance, str):
            return True
        if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+", instance):
            raise ValueError("not an electronic-format IBAN")
        country = countries.get(instance[:2])
        if country is None:
            raise ValueError(f"country {instance[:2]} is not in the IBAN registry")
        if len(instance) != country["length"]:
            raise ValueError(f"a {instance[:2]} IBAN has {country['length']} characters")
        if not bban_patterns[instance[:2]].fullmatch(instance[4:]):
            raise ValueError(f"BBAN does not follow {country['bban']}")
        if not 2 <= int(instance[2:4]) <= 98:
            raise ValueError("check digits must be between 02 and 98")
        rearranged = instance[4:] + instance[:4]
        if int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 != 1:
            raise ValueError("check digits do not match")
        return True

    return checker


def _ecma_pattern(validator, pattern, instance, schema):
    """`pattern` with ECMA-262 anchoring: Python's `$` also matches before a final newline, ECMA's does not."""
    if not validator.is_type(instance, "string"):
        return
    python_pattern = re.sub(r"(?<!\\)\$", r"\\Z", pattern)
    if re.search(python_pattern, instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


StrictValidator = extend(Draft202012Validator, {"pattern": _ecma_pattern})


class Contracts:
    def __init__(self, schemas_dir: pathlib.Path):
        self.schemas_dir = schemas_dir
        countries = json.loads((schemas_dir / "iban-countries.json").read_text("utf-8"))["countries"]
        self.format_checker = make_format_checker(countries)
        self.by_id = {}
        self.by_type = {}
        for path in sorted(schemas_dir.glob("*.schema.json")):
            schema = json.loads(path.read_text("utf-8"))
            self.by_id[schema["$id"]] = schema
            if path.name != "common.schema.json":
                self.by_type[path.name[: -len(".schema.json")]] = schema
        if referencing is not None:
            resources = [(uri, DRAFT202012.create_resource(schema)) for uri, schema in self.by_id.items()]
            self.registry = referencing.Registry().with_resources(resources)
        for schema in list(self.by_type.values()) + [json.loads((schemas_dir / "common.schema.json").read_text("utf-8"))]:
            Draft202012Validator.check_schema(schema)

    def validator(self, type_name):
        schema = self.by_type[type_name]
        if referencing is not None:
            return StrictValidator(schema, registry=self.registry, format_checker=self.format_checker)
        resolver = jsonschema.RefResolver.from_schema(schema, store=dict(self.by_id))
        return StrictValidator(schema, resolver=resolver, format_checker=self.format_checker)

    def check(self, type_name, document):
        """Return (valid, paths, messages) for one parsed document."""
        errors = list(self.validator(type_name).iter_errors(document))
        paths, messages = [], []
        for error in errors:
            for path in error_paths(error):
                if path not in paths:
                    paths.append(path)
            messages.append(f"{format_path(error.absolute_path) or '(root)'}: {error.message}")
        return (not errors, paths, messages)


def format_path(parts):
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def error_paths(error):
    """The field an error is about. `required`-style errors are reported by jsonschema at the parent
    object; name the missing field instead, as the Swift decoder does."""
    base = list(error.absolute_path)
    instance = error.instance
    if error.validator == "required" and isinstance(instance, dict):
        return [format_path(base + [name]) for name in error.validator_value if name not in instance]
    if error.validator == "dependentRequired" and isinstance(instance, dict):
        missing = []
        for present, needed in error.validator_value.items():
            if present in instance:
                missing += [format_path(base + [name]) for name in needed if name not in instance]
        return missing
    return [format_path(base)]


def example_files(schemas_dir):
    examples = schemas_dir / "examples"
    for kind in ("valid", "invalid"):
        for path in sorted((examples / kind).glob("*/*.json")):
            yield kind, path.parent.name, path


def run_examples(contracts, report):
    examples_dir = contracts.schemas_dir / "examples"
    expected = json.loads((examples_dir / "invalid" / "expected-errors.json").read_text("utf-8"))
    failures, results = [], []
    for kind, type_name, path in example_files(contracts.schemas_dir):
        relative = f"{type_name}/{path.name}"
        try:
            document = load_strict(path.read_bytes())
            valid, paths, messages = contracts.check(type_name, document)
        except (ValueError, UnicodeDecodeError) as error:
            valid, paths, messages = False, [""], [f"(root): not strict JSON: {error}"]
        results.append({"kind": kind, "file": relative, "valid": valid, "paths": paths, "messages": messages})
        if kind == "valid" and not valid:
            failures.append(f"{kind}/{relative} should be valid: {messages}")
        if kind == "invalid":
            want = expected.get(relative)
            if valid:
                failures.append(f"{kind}/{relative} should be refused")
            elif want is None:
                failures.append(f"{kind}/{relative} has no entry in expected-errors.json")
            elif want not in paths:
                failures.append(f"{kind}/{relative} refused at {paths}, expected {want!r}: {messages}")
    if report:
        print(json.dumps(results, indent=1))
    else:
        for result in results:
            where = f" at {', '.join(p or '(root)' for p in result['paths'])}" if result["kind"] == "invalid" else ""
            print(f"{result['kind']:7} {result['file']}: {'valid' if result['valid'] else 'refused'}{where}")
        for failure in failures:
            print(f"FAIL {failure}", file=sys.stderr)
        print(f"{len(results) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


def run_stdin(contracts):
    documents = load_strict(sys.stdin.buffer.read())
    results = []
    for index, document in enumerate(documents):
        type_name = document.get("type") if isinstance(document, dict) else None
        if not isinstance(type_name, str) or type_name not in contracts.by_type:
            results.append({"index": index, "valid": False, "paths": ["type"], "messages": [f"unknown type {type_name!r}"]})
            continue
        valid, paths, messages = contracts.check(type_name, document)
        results.append({"index": index, "valid": valid, "paths": paths, "messages": messages})
    print(json.dumps(results))
    return 0 if all(result["valid"] for result in results) else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schemas", type=pathlib.Path, default=ROOT / "schemas")
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--stdin", action="store_true")
    arguments = parser.parse_args()
    contracts = Contracts(arguments.schemas)
    if arguments.stdin:
        return run_stdin(contracts)
    return run_examples(contracts, arguments.report)


if __name__ == "__main__":
    sys.exit(main())
