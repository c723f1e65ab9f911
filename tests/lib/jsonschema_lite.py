#!/usr/bin/env python3
"""Validate a JSON document against a JSON Schema (draft-04 subset).

Enough for the runtime-spec schemas: type, properties, required,
additionalProperties, patternProperties, items, enum, pattern, minimum,
maximum, minItems, allOf, anyOf, oneOf, and $ref to this or another schema
file in the same directory ("defs.json#/definitions/x").

    jsonschema_lite.py SCHEMA.json DOCUMENT.json   (DOCUMENT "-": stdin)

Prints each violation with its JSON path and exits 1 when there is one.
"""
import json
import os
import re
import sys

TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class Validator:
    def __init__(self, schema_path):
        self.dir = os.path.dirname(os.path.abspath(schema_path))
        self.files = {}
        self.root = self.load(os.path.basename(schema_path))
        self.errors = []

    def load(self, name):
        if name not in self.files:
            with open(os.path.join(self.dir, name)) as f:
                self.files[name] = json.load(f)
        return self.files[name]

    def resolve(self, ref, base):
        fname, _, pointer = ref.partition("#")
        doc = self.load(fname) if fname else self.files[base]
        for part in [p for p in pointer.split("/") if p]:
            doc = doc[part]
        return doc, (fname or base)

    def check(self, schema, value, path, base):
        if "$ref" in schema:
            target, nbase = self.resolve(schema["$ref"], base)
            self.check(target, value, path, nbase)
            return
        t = schema.get("type")
        if t is not None:
            types = t if isinstance(t, list) else [t]
            if not any(TYPES[x](value) for x in types):
                self.errors.append("%s: expected %s, got %r" % (path, t, value))
                return
        if "enum" in schema and value not in schema["enum"]:
            self.errors.append("%s: %r is not one of %s" % (path, value, schema["enum"]))
        if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
            self.errors.append("%s: %r does not match %s" % (path, value, schema["pattern"]))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if "minimum" in schema and value < schema["minimum"]:
                self.errors.append("%s: %r < minimum %r" % (path, value, schema["minimum"]))
            if "maximum" in schema and value > schema["maximum"]:
                self.errors.append("%s: %r > maximum %r" % (path, value, schema["maximum"]))
        if isinstance(value, list):
            if len(value) < schema.get("minItems", 0):
                self.errors.append("%s: fewer than %d items" % (path, schema["minItems"]))
            if "items" in schema:
                for i, item in enumerate(value):
                    self.check(schema["items"], item, "%s[%d]" % (path, i), base)
        if isinstance(value, dict):
            self.check_object(schema, value, path, base)
        for sub in schema.get("allOf", []):
            self.check(sub, value, path, base)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                ok = 0
                for sub in schema[key]:
                    v = Validator.__new__(Validator)
                    v.dir, v.files, v.errors = self.dir, self.files, []
                    v.check(sub, value, path, base)
                    ok += not v.errors
                if ok == 0 or (key == "oneOf" and ok > 1):
                    self.errors.append("%s: does not match %s" % (path, key))

    def check_object(self, schema, value, path, base):
        for req in schema.get("required", []):
            if req not in value:
                self.errors.append("%s: required property %r missing" % (path, req))
        props = schema.get("properties", {})
        pats = schema.get("patternProperties", {})
        extra = schema.get("additionalProperties", True)
        for k, v in value.items():
            sub = "%s.%s" % (path, k)
            matched = False
            if k in props:
                self.check(props[k], v, sub, base)
                matched = True
            for pat, s in pats.items():
                if re.search(pat, k):
                    self.check(s, v, sub, base)
                    matched = True
            if not matched:
                if extra is False:
                    self.errors.append("%s: property not allowed" % sub)
                elif isinstance(extra, dict):
                    self.check(extra, v, sub, base)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    v = Validator(sys.argv[1])
    doc = json.load(sys.stdin if sys.argv[2] == "-" else open(sys.argv[2]))
    v.check(v.root, doc, "$", os.path.basename(sys.argv[1]))
    for e in v.errors:
        print(e)
    sys.exit(1 if v.errors else 0)


if __name__ == "__main__":
    main()
